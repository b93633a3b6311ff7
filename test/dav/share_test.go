package dav

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

const (
	groupRead   = 32768
	groupUpdate = 131072
	groupRefer  = 1048576
	groupCRUD   = 16384 | groupRead | 65536 | groupUpdate | 262144 | groupRefer
)

// apiCreate creates a row over JSON:API and returns its id.
func apiCreate(t *testing.T, s *testserver.Server, tok, typ string, attrs map[string]any) string {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/api/"+typ, map[string]any{"data": map[string]any{"type": typ, "attributes": attrs}}, tok)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", typ, r.Status, r.Body)
	}
	return r.Map(t)["data"].(map[string]any)["id"].(string)
}

func apiPatch(t *testing.T, s *testserver.Server, tok, typ, id string, attrs map[string]any) {
	t.Helper()
	r := s.Do(t, http.MethodPatch, "/api/"+typ+"/"+id, map[string]any{"data": map[string]any{"type": typ, "id": id, "attributes": attrs}}, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("patch %s: %d %s", typ, r.Status, r.Body)
	}
}

// eventually retries fn until it returns true or 10 seconds pass.
func eventually(t *testing.T, what string, fn func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if fn() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestSharingWithUsergroup(t *testing.T) {
	t.Parallel()
	s := start(t)
	admin := s.Admin(t)
	openDAVTables(t, s, admin)
	bob := newUser(t, s, "bob")
	carol := newUser(t, s, "carol")
	dave := newUser(t, s, "dave")
	cal := bob.home() + "team/"
	bob.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	bob.do(t, "PUT", cal+"plan.ics", calHeaders, event("plan@test", "Planning", "20261208T090000Z", "20261208T100000Z", "")).want(t, 201, "PUT")

	r := bob.do(t, "PROPFIND", cal, map[string]string{"Depth": "0"}, `<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>`)
	_ = r
	collID := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(string(s.Do(t, "GET",
		"/api/collection?query=%5B%7B%22column%22%3A%22name%22%2C%22operator%22%3A%22is%22%2C%22value%22%3A%22team%22%7D%5D", nil, admin).Body))
	if collID == nil {
		t.Fatal("collection not found over JSON:API")
	}
	team := apiCreate(t, s, admin, "usergroup", map[string]any{"name": "team"})
	apiCreate(t, s, admin, "user_account_user_account_id_has_usergroup_usergroup_id", map[string]any{"user_account_id": carol.ref, "usergroup_id": team})
	link := apiCreate(t, s, admin, "collection_collection_id_has_usergroup_usergroup_id", map[string]any{"collection_id": collID[1], "usergroup_id": team})
	apiPatch(t, s, admin, "collection_collection_id_has_usergroup_usergroup_id", link, map[string]any{"permission": groupRead})

	// Carol sees the calendar in her home, by its id, and its event.
	shared := carol.home() + collID[1] + "/"
	eventually(t, "the shared event", func() bool {
		r := carol.do(t, "REPORT", shared, nil, calendarQuery("20261201T000000Z", "20270101T000000Z"))
		return r.status == 207 && strings.Contains(r.body, "plan.ics")
	})
	r = carol.do(t, "PROPFIND", carol.home(), map[string]string{"Depth": "1"},
		`<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:current-user-privilege-set/></d:prop></d:propfind>`).want(t, 207, "carol home")
	if !strings.Contains(r.body, shared) || strings.Contains(r.body[strings.Index(r.body, shared):], "<d:write/>") {
		t.Fatalf("carol's home should list the shared calendar read-only: %s", r.body)
	}
	// Read-only: carol may not write; dave sees nothing.
	carol.do(t, "PUT", shared+"plan.ics", calHeaders, event("plan@test", "Hijack", "20261208T090000Z", "20261208T100000Z", "")).want(t, 403, "carol PUT read-only")
	carol.do(t, "DELETE", shared+"plan.ics", nil, "").want(t, 403, "carol DELETE read-only")
	dave.do(t, "PROPFIND", dave.home()+collID[1]+"/", map[string]string{"Depth": "0"}, "").want(t, 404, "dave shared path")
	dave.do(t, "PROPFIND", bob.home(), map[string]string{"Depth": "0"}, "").want(t, 403, "another user's principal path")

	// With update rights she may change the event.
	apiPatch(t, s, admin, "collection_collection_id_has_usergroup_usergroup_id", link, map[string]any{"permission": groupRead | groupUpdate | groupRefer})
	eventually(t, "update rights", func() bool {
		return carol.do(t, "PUT", shared+"plan.ics", calHeaders,
			event("plan@test", "Planning (carol)", "20261208T090000Z", "20261208T100000Z", "")).status == 204
	})
	g := bob.do(t, "GET", cal+"plan.ics", nil, "").want(t, 200, "bob GET")
	if !strings.Contains(g.body, "Planning (carol)") {
		t.Fatalf("bob does not see carol's change: %s", g.body)
	}
}

// openDAVTables lets every signed-in user use DAV on a locked-down
// instance: the DAV tables' world rows are linked to the "users" group
// with create, read, update, delete and refer (docs/dav.md).
func openDAVTables(t *testing.T, s *testserver.Server, admin string) {
	t.Helper()
	users := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(string(s.Do(t, "GET",
		"/api/usergroup?query="+url.QueryEscape(`[{"column":"name","operator":"is","value":"users"}]`), nil, admin).Body))
	if users == nil {
		t.Fatal("no users group")
	}
	for _, table := range []string{"collection", "calendar", "vcard", "dav_tombstone", "calendar_calendar_id_has_usergroup_usergroup_id",
		"vcard_vcard_id_has_usergroup_usergroup_id", "dav_tombstone_dav_tombstone_id_has_usergroup_usergroup_id",
		"collection_collection_id_has_usergroup_usergroup_id"} {
		w := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(string(s.Do(t, "GET",
			"/api/world?query="+url.QueryEscape(`[{"column":"table_name","operator":"is","value":"`+table+`"}]`), nil, admin).Body))
		if w == nil {
			t.Fatalf("no world row for %s", table)
		}
		l := apiCreate(t, s, admin, "world_world_id_has_usergroup_usergroup_id", map[string]any{"world_id": w[1], "usergroup_id": users[1]})
		apiPatch(t, s, admin, "world_world_id_has_usergroup_usergroup_id", l, map[string]any{"permission": groupCRUD})
	}
}
