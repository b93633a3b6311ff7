package dav

import (
	"context"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

// testQueryCacheInvalidation: a repeated calendar-query is answered from
// the cache, and every kind of change (DAV PUT and DELETE, a write through
// the resource layer, a revoked share) shows in the next answer.
func testQueryCacheInvalidation(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "qcache")
	cal := u.home() + "cached/"
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	u.do(t, "PUT", cal+"a.ics", calHeaders, event("qc-a", "First", "20270310T100000Z", "20270310T110000Z", "")).want(t, 201, "PUT a")
	q := calendarQuery("20270301T000000Z", "20270401T000000Z")
	count := func(what string) string {
		t.Helper()
		r := u.do(t, "REPORT", cal, map[string]string{"Depth": "1"}, q).want(t, 207, what)
		return r.body
	}
	first := count("query")
	if strings.Count(first, "<d:response>") != 1 || count("query again") != first {
		t.Fatalf("first answers differ or wrong: %s", first)
	}
	u.do(t, "PUT", cal+"b.ics", calHeaders, event("qc-b", "Second", "20270311T100000Z", "20270311T110000Z", "")).want(t, 201, "PUT b")
	if n := strings.Count(count("after PUT"), "<d:response>"); n != 2 {
		t.Fatalf("after a PUT the month holds %d events, want 2", n)
	}
	u.do(t, "DELETE", cal+"b.ics", nil, "").want(t, 204, "DELETE b")
	if n := strings.Count(count("after DELETE"), "<d:response>"); n != 1 {
		t.Fatalf("after a DELETE the month holds %d events, want 1", n)
	}
	// A write outside DAV (resource layer, as JSON:API does it).
	res := s.Srv.Resource()
	ctx := context.Background()
	p, err := res.PrincipalByEmail(ctx, u.email)
	if err != nil {
		t.Fatal(err)
	}
	ctx = auth.WithPrincipal(ctx, p)
	page, err := res.List(ctx, "calendar", resource.Query{Conditions: []resource.Condition{{Column: "uid", Operator: "is", Value: "qc-a"}}})
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("row of qc-a: %v", err)
	}
	_, err = res.Update(ctx, "calendar", page.Rows[0].RefID, resource.Input{Attributes: map[string]any{
		"content": event("qc-a", "Renamed", "20270310T100000Z", "20270310T110000Z", "")}})
	if err != nil {
		t.Fatal(err)
	}
	if body := count("after a resource-layer write"); !strings.Contains(body, "Renamed") {
		t.Fatalf("the cached answer survived a write outside DAV: %s", body)
	}
	// Another user never gets this user's cached answer.
	other := newUser(t, s, "qcother")
	other.do(t, "REPORT", cal, map[string]string{"Depth": "1"}, q).want(t, 403, "another user's calendar")
}
