package dav

import (
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// TestDAV runs the flows that can share one server (each with its own
// users), so a fresh PostgreSQL or MySQL database is migrated once for
// all of them. Tests that lock the instance down or need DAV off have
// servers of their own.
func TestDAV(t *testing.T) {
	t.Parallel()
	s := start(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *testserver.Server)
	}{
		{"DiscoveryAndAuth", testDiscoveryAndAuth},
		{"CalendarObjects", testCalendarObjects},
		{"CalendarQueryRecurring", testCalendarQueryRecurring},
		{"SyncCollectionAndCTag", testSyncCollectionAndCTag},
		{"AddressBook", testAddressBook},
		{"BadInput", testBadInput},
		{"Vdirsyncer", testVdirsyncer},
		{"Tsdav", testTsdav},
		{"Litmus", testLitmus},
		{"Locks", testLocks},
		{"QueryCacheInvalidation", testQueryCacheInvalidation},
		{"JSONAPIWrites", testJSONAPIWrites},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
	}
}
