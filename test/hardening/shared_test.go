package hardening

import (
	"net/http"
	"testing"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// Starting a server costs seconds on PostgreSQL and MySQL, so the checks
// that do not disturb each other share one, run in order.

// TestPrivateData runs the private-data checks on one locked-down server.
func TestPrivateData(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_note.yaml", noteSchema),
		testserver.WithSchema("schema_locker.yaml", lockerSchema))
	admin := s.Admin(t)
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *testserver.Server, string)
	}{
		{"LockDownClosesGroupsAndMemberships", lockDownClosesGroups},
		{"MembershipRowsArePrivate", membershipRowsArePrivate},
		{"HashColumnsAreWriteOnly", hashColumnsAreWriteOnly},
		{"SecretsAreNotCached", secretsAreNotCached},
		{"ExportsNeutraliseFormulas", exportsNeutraliseFormulas},
		{"UserUpdatesOwnAccount", userUpdatesOwnAccount},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, s, admin) })
	}
}

// limitsAnswerBytes is the GraphQL answer cap of TestLimits' server.
const limitsAnswerBytes = 1000

// TestLimits runs the parser limit checks on one server with GraphQL on.
func TestLimits(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_note.yaml", noteSchema),
		testserver.WithConfig(func(c *server.Config) { c.GraphQLLimits.MaxAnswerBytes = limitsAnswerBytes }))
	admin := s.Admin(t)
	if r := s.Do(t, http.MethodPut, "/_config/backend/graphql.enable", "true", admin); r.Status >= 300 {
		t.Fatalf("enable graphql: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *testserver.Server, string)
	}{
		{"GraphQLLimits", graphQLLimits},
		{"ParserLimits", parserLimits},
		{"GraphQLAnswerSize", graphQLAnswerSize},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, s, admin) })
	}
}
