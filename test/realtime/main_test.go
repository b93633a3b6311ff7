package realtime

import (
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// env is one server shared by the subtests of a group: booting a server
// (migrating a fresh database) costs seconds on PostgreSQL and MySQL.
type env struct {
	s                 *testserver.Server
	admin, bob, alice string
}

func newEnv(t *testing.T) env {
	t.Helper()
	s := start(t)
	e := env{s: s, admin: s.Admin(t), bob: s.User(t, "Bob", "bob@example.test", "bob-password"),
		alice: s.User(t, "Alice", "alice@example.test", "alice-password")}
	openTable(t, s, e.admin, "todo")
	return e
}

// TestLive runs the /live cases in order on one server; each case opens
// and closes its own connections.
func TestLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		name string
		fn   func(*testing.T, env)
	}{
		{"GuestIsRefused", liveGuestIsRefused},
		{"RowEventsArePermissionFiltered", liveRowEventsArePermissionFiltered},
		{"FiltersAndSubscriptions", liveFiltersAndSubscriptions},
		{"UserTopicsAndPublish", liveUserTopicsAndPublish},
		{"BadInputCloses", liveBadInputCloses},
		{"GroupSharedRows", liveGroupSharedRows},
		{"EventsFromEveryWritePath", liveEventsFromEveryWritePath},
		{"NodeWs", liveWithNodeWs},
		{"UpdatesInCommitOrder", liveUpdatesInCommitOrder},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, e) })
	}
}

// TestYjs runs the YJS room cases on one server, each in its own room.
func TestYjs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		name string
		fn   func(*testing.T, env)
	}{
		{"Converge", yjsConverge},
		{"RowDocumentReadOnly", yjsRowDocumentReadOnly},
		{"BadBytesCloseOnlyThatSession", yjsBadBytesCloseOnlyThatSession},
		{"ManyEditsStayCompact", yjsManyEditsStayCompact},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, e) })
	}
}
