package dav

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDeletesOutsideDAV: objects deleted over JSON:API and GraphQL are
// reported as deleted by the next sync-collection, an update over JSON:API
// as changed (new ETag, new sync token and ctag), and a DAV delete leaves
// exactly one tombstone.
func TestDeletesOutsideDAV(t *testing.T) {
	t.Parallel()
	s := start(t)
	admin := s.Admin(t)
	openDAVTables(t, s, admin)
	if r := s.Do(t, http.MethodPost, "/_config/backend/graphql.enable", "true", admin); r.Status != http.StatusOK {
		t.Fatalf("enable graphql: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodPost, "/action/world/restart_daptin", map[string]any{"attributes": map[string]any{}}, admin); r.Status != http.StatusOK {
		t.Fatalf("restart: %d %s", r.Status, r.Body)
	}
	u := newUser(t, s, "fern")
	cal := u.home() + "work/"
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		u.do(t, "PUT", cal+n+".ics", calHeaders, event(n+"@test", n, "20261207T090000Z", "20261207T100000Z", "")).want(t, 201, "PUT "+n)
	}
	r := u.do(t, "REPORT", cal, nil, syncReport("")).want(t, 207, "initial sync")
	tok := tokenRe.FindStringSubmatch(r.body)[1]
	etagC := etagOf(t, r.body, "c.ics")
	time.Sleep(1100 * time.Millisecond) // MySQL keeps whole seconds

	jwt := s.SignIn(t, u.email, u.pass)
	id := func(file string) string {
		t.Helper()
		list := s.Do(t, "GET", "/api/calendar?query="+url.QueryEscape(`[{"column":"file_name","operator":"is","value":"`+file+`"}]`), nil, jwt)
		m := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(string(list.Body))
		if m == nil {
			t.Fatalf("%s over JSON:API: %s", file, list.Body)
		}
		return m[1]
	}
	if d := s.Do(t, http.MethodDelete, "/api/calendar/"+id("a.ics"), nil, jwt); d.Status != http.StatusOK && d.Status != http.StatusNoContent {
		t.Fatalf("delete over JSON:API: %d %s", d.Status, d.Body)
	}
	g := s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": `mutation Del($id: String) { deleteCalendar(reference_id: $id) { reference_id } }`,
		"variables": map[string]any{"id": id("b.ics")}}, jwt)
	var gr struct{ Errors []json.RawMessage }
	if g.Status != http.StatusOK || json.Unmarshal(g.Body, &gr) != nil || len(gr.Errors) > 0 {
		t.Fatalf("delete over GraphQL: %d %s", g.Status, g.Body)
	}
	apiPatch(t, s, jwt, "calendar", id("c.ics"), map[string]any{"content": event("c@test", "c edited", "20261207T090000Z", "20261207T100000Z", "")})
	u.do(t, "DELETE", cal+"d.ics", nil, "").want(t, 204, "DELETE d over DAV")

	var delta string
	eventually(t, "the sync report of the JSON:API and GraphQL deletes", func() bool {
		delta = u.do(t, "REPORT", cal, nil, syncReport(tok)).want(t, 207, "delta sync").body
		return strings.Contains(delta, "a.ics</d:href><d:status>HTTP/1.1 404") && strings.Contains(delta, "b.ics</d:href><d:status>HTTP/1.1 404")
	})
	// e.ics, written last before the token, may be reported again.
	if !strings.Contains(delta, "d.ics</d:href><d:status>HTTP/1.1 404") || strings.Contains(delta, "c.ics</d:href><d:status>HTTP/1.1 404") {
		t.Fatalf("delta sync should report a, b and d deleted and c changed: %s", delta)
	}
	if e := etagOf(t, delta, "c.ics"); e == etagC {
		t.Fatalf("c.ics changed over JSON:API but keeps ETag %s: %s", e, delta)
	}
	newTok := tokenRe.FindStringSubmatch(delta)[1]
	if newTok == tok {
		t.Fatal("the sync token did not change")
	}
	// One tombstone per delete: the DAV delete is not tombstoned twice.
	time.Sleep(300 * time.Millisecond)
	ts := s.Do(t, "GET", "/api/dav_tombstone?page[size]=100", nil, jwt)
	var doc struct {
		Data []struct{ Attributes map[string]any }
	}
	if ts.Status != http.StatusOK || json.Unmarshal(ts.Body, &doc) != nil {
		t.Fatalf("tombstones over JSON:API: %d %s", ts.Status, ts.Body)
	}
	count := map[string]int{}
	for _, d := range doc.Data {
		count[d.Attributes["file_name"].(string)]++
	}
	if count["a.ics"] != 1 || count["b.ics"] != 1 || count["d.ics"] != 1 || len(count) != 3 {
		t.Fatalf("tombstones per file: %v, want one each for a, b and d", count)
	}
}

// etagOf returns the getetag of file in a multistatus.
func etagOf(t *testing.T, body, file string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(file) + `</d:href>.*?<d:getetag>([^<]+)</d:getetag>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no ETag for %s in %s", file, body)
	}
	return m[1]
}
