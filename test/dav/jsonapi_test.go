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

// testJSONAPIWrites: an event created and edited over JSON:API gets its
// searchable columns and a file name, shows up in DAV queries, and DAV's
// own writes do not trigger endless follow-up updates.
func testJSONAPIWrites(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "jade")
	cal := u.home() + "mixed/"
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	u.do(t, "PUT", cal+"dav.ics", calHeaders, event("dav@test", "From DAV", "20261210T090000Z", "20261210T100000Z", "")).want(t, 201, "PUT")
	tok := s.SignIn(t, u.email, u.pass)
	q := func(col, val string) string {
		return "/api/calendar?query=" + url.QueryEscape(`[{"column":"`+col+`","operator":"is","value":"`+val+`"}]`)
	}
	collID := regexp.MustCompile(`"collection_id":"([0-9a-f-]{36})"`).FindStringSubmatch(string(s.Do(t, "GET", q("uid", "dav@test"), nil, tok).Body))
	if collID == nil {
		t.Fatal("no collection_id on the DAV event")
	}
	r := s.Do(t, http.MethodPost, "/api/calendar", map[string]any{"data": map[string]any{"type": "calendar", "attributes": map[string]any{
		"rpath": "api-" + collID[1], "content": event("api@test", "From JSON:API", "20261211T090000Z", "20261211T100000Z", ""),
		"collection_id": collID[1]}}}, tok)
	if r.Status != http.StatusCreated {
		t.Fatalf("create over JSON:API: %d %s", r.Status, r.Body)
	}
	eventually(t, "extracted columns", func() bool {
		body := string(s.Do(t, "GET", q("uid", "api@test"), nil, tok).Body)
		return strings.Contains(body, `"summary":"From JSON:API"`) && strings.Contains(body, `"start_at":"2026-12-11T09:00:00Z"`) &&
			strings.Contains(body, `.ics"`)
	})
	rep := u.do(t, "REPORT", cal, nil, calendarQuery("20261211T000000Z", "20261212T000000Z")).want(t, 207, "query")
	if !strings.Contains(rep.body, "From JSON:API") || len(hrefs(rep.body)) != 1 {
		t.Fatalf("the JSON:API event is not found by a DAV time-range query: %s", rep.body)
	}
	// Both rows settle: no endless follow-up updates.
	stamp := func(uid string) string {
		return regexp.MustCompile(`"updated_at":"([^"]+)"`).FindStringSubmatch(string(s.Do(t, "GET", q("uid", uid), nil, tok).Body))[1]
	}
	for _, uid := range []string{"dav@test", "api@test"} {
		first := stamp(uid)
		time.Sleep(300 * time.Millisecond)
		if again := stamp(uid); again != first {
			t.Fatalf("%s keeps being rewritten: %s then %s", uid, first, again)
		}
	}
}
