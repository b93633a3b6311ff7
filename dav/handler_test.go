package dav

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

// harness is a Handler over a real resource layer on a fresh database
// (APIARY_TEST_DB picks it), with signed-in users.
type harness struct {
	t   *testing.T
	res resource.Service
	h   *Handler
}

const harnessSchema = "Tables:\n  - TableName: note\n    Columns:\n      - {Name: title, ColumnType: label}\n"

func newHarness(t *testing.T) *harness {
	t.Helper()
	res := resourcetest.New(t, harnessSchema)
	h := New(Deps{Res: func() resource.Service { return res }, Log: slog.New(slog.DiscardHandler), MaxBody: 1 << 16})
	cancel := res.Subscribe(h.OnChange)
	t.Cleanup(cancel)
	return &harness{t: t, res: res, h: h}
}

// davUser is one account of the harness.
type davUser struct {
	hs  *harness
	p   auth.Principal
	ctx context.Context
}

func (hs *harness) user(name string) *davUser {
	hs.t.Helper()
	sys := auth.WithPrincipal(context.Background(), auth.System())
	email := name + "@x.test"
	if _, err := hs.res.Create(sys, "user_account", resource.Input{Attributes: map[string]any{"name": name, "email": email, "password": "password-" + name}}); err != nil {
		hs.t.Fatal(err)
	}
	p, err := hs.res.PrincipalByEmail(context.Background(), email)
	if err != nil {
		hs.t.Fatal(err)
	}
	return &davUser{hs: hs, p: p, ctx: auth.WithPrincipal(context.Background(), p)}
}

// rec is one answer.
type rec struct {
	code   int
	header http.Header
	body   string
}

// do serves one request as the user; path may use ~ for the home set.
func (u *davUser) do(method, path string, hdr map[string]string, body string) rec {
	u.hs.t.Helper()
	path = strings.Replace(path, "~", "/caldav/users/"+u.p.UserRef+"/calendars", 1)
	req := httptest.NewRequest(method, path, strings.NewReader(body)).WithContext(u.ctx)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	u.hs.h.ServeHTTP(w, req)
	data, _ := io.ReadAll(w.Result().Body)
	return rec{code: w.Code, header: w.Header(), body: string(data)}
}

func (r rec) want(t *testing.T, code int, what string) rec {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: status %d, want %d: %s", what, r.code, code, r.body)
	}
	return r
}

func ev(uid, start, end string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start +
		"\r\nDTEND:" + end + "\r\nSUMMARY:" + uid + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

var (
	icsHdr     = map[string]string{"Content-Type": "text/calendar"}
	syncTokRe  = regexp.MustCompile(`<d:sync-token>([^<]+)</d:sync-token>`)
	hrefFileRe = regexp.MustCompile(`<d:href>[^<]*/([^/<]+\.ics)</d:href>(<d:status>HTTP/1.1 404)?`)
)

func syncBody(tok string) string {
	return `<d:sync-collection xmlns:d="DAV:"><d:sync-token>` + tok + `</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`
}

// syncedFiles returns file → "changed" or "deleted" from a sync report.
func syncedFiles(body string) map[string]string {
	out := map[string]string{}
	for _, m := range hrefFileRe.FindAllStringSubmatch(body, -1) {
		out[m[1]] = "changed"
		if m[2] != "" {
			out[m[1]] = "deleted"
		}
	}
	return out
}

func waitFor(t *testing.T, what string, fn func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if fn() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestHandlerObjectLifecycle drives the handler in process: create,
// conditional writes, read, delete and sync, plus the error statuses.
func TestHandlerObjectLifecycle(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("ann")
	u.do("MKCALENDAR", "~/work/", nil, "").want(t, 201, "MKCALENDAR")
	u.do("MKCALENDAR", "~/work/", nil, "").want(t, 405, "MKCALENDAR again")

	steps := []struct {
		name, method, path string
		hdr                map[string]string
		body               string
		code               int
	}{
		{"create", "PUT", "~/work/a.ics", icsHdr, ev("a", "20270101T090000Z", "20270101T100000Z"), 201},
		{"create only if new, exists", "PUT", "~/work/a.ics", map[string]string{"Content-Type": "text/calendar", "If-None-Match": "*"}, ev("a", "20270101T090000Z", "20270101T100000Z"), 412},
		{"update with stale If-Match", "PUT", "~/work/a.ics", map[string]string{"Content-Type": "text/calendar", "If-Match": `"stale"`}, ev("a", "20270101T090000Z", "20270101T110000Z"), 412},
		{"update", "PUT", "~/work/a.ics", icsHdr, ev("a", "20270101T090000Z", "20270101T110000Z"), 204},
		{"second object", "PUT", "~/work/b.ics", icsHdr, ev("b", "20270102T090000Z", "20270102T100000Z"), 201},
		{"same UID elsewhere", "PUT", "~/work/c.ics", icsHdr, ev("a", "20270103T090000Z", "20270103T100000Z"), 409},
		{"not iCalendar", "PUT", "~/work/d.ics", icsHdr, "hello", 400},
		{"wrong media type", "PUT", "~/work/d.ics", map[string]string{"Content-Type": "text/vcard"}, ev("d", "20270101T090000Z", "20270101T100000Z"), 415},
		{"no collection", "PUT", "~/nope/d.ics", icsHdr, ev("d", "20270101T090000Z", "20270101T100000Z"), 409},
		{"too large", "PUT", "~/work/big.ics", icsHdr, strings.Repeat("x", 1<<16+1), 413},
		{"PUT on a collection", "PUT", "~/work/", icsHdr, "", 405},
		{"get missing", "GET", "~/work/zz.ics", nil, "", 404},
		{"delete missing", "DELETE", "~/work/zz.ics", nil, "", 404},
		{"delete with stale If-Match", "DELETE", "~/work/b.ics", map[string]string{"If-Match": `"stale"`}, "", 412},
		{"delete the home", "DELETE", "~/", nil, "", 403},
		{"nested MKCOL", "MKCOL", "~/work/a.ics/x/", nil, "", 409},
		{"unknown method", "PATCH", "~/work/a.ics", nil, "", 405},
		{"traversal", "GET", "/caldav/users/" + u.p.UserRef + "/calendars/work/%2e%2e%2fx", nil, "", 400},
		{"another user's tree", "PROPFIND", "/caldav/users/01a24dab-0000-7000-8000-000000000000/calendars/", map[string]string{"Depth": "1"}, "", 403},
		{"depth infinity", "PROPFIND", "~/", map[string]string{"Depth": "infinity"}, "", 403},
		{"bad depth", "PROPFIND", "~/", map[string]string{"Depth": "2"}, "", 400},
		{"malformed XML", "PROPFIND", "~/", map[string]string{"Depth": "0"}, "<d:propfind", 400},
		{"REPORT on the home", "REPORT", "~/", nil, syncBody(""), 403},
		{"sync without level or token", "REPORT", "~/work/", nil, `<d:sync-collection xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:sync-collection>`, 207},
		{"sync level infinite", "REPORT", "~/work/", nil, `<d:sync-collection xmlns:d="DAV:"><d:sync-level>infinite</d:sync-level></d:sync-collection>`, 403},
		{"PROPPATCH set without prop", "PROPPATCH", "~/work/", nil, `<d:propertyupdate xmlns:d="DAV:"><d:set/></d:propertyupdate>`, 207},
		{"PROPPATCH with a stray element", "PROPPATCH", "~/work/", nil, `<d:propertyupdate xmlns:d="DAV:"><d:lock/></d:propertyupdate>`, 400},
		{"calendar-query without filter", "REPORT", "~/work/", nil, `<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav"/>`, 403},
		{"multiget without hrefs", "REPORT", "~/work/", nil, `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"/>`, 207},
		{"free-busy without range", "REPORT", "~/work/", nil, `<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"/>`, 400},
	}
	for _, s := range steps {
		u.do(s.method, s.path, s.hdr, s.body).want(t, s.code, s.name)
	}

	g := u.do("GET", "~/work/a.ics", nil, "").want(t, 200, "GET")
	if !strings.Contains(g.body, "DTEND:20270101T110000Z") || g.header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("GET returns the updated object: %q %v", g.body, g.header)
	}
	etag := g.header.Get("ETag")
	u.do("GET", "~/work/a.ics", map[string]string{"If-None-Match": etag}, "").want(t, 304, "GET If-None-Match")
	u.do("PUT", "~/work/a.ics", map[string]string{"Content-Type": "text/calendar", "If-Match": etag}, ev("a", "20270101T080000Z", "20270101T110000Z")).want(t, 204, "PUT If-Match")
	if e2 := u.do("HEAD", "~/work/a.ics", nil, "").header.Get("ETag"); e2 == etag || e2 == "" {
		t.Fatalf("ETag after a change: %q (was %q)", e2, etag)
	}

	first := u.do("REPORT", "~/work/", nil, syncBody("")).want(t, 207, "initial sync")
	if got := syncedFiles(first.body); len(got) != 2 || got["a.ics"] != "changed" || got["b.ics"] != "changed" {
		t.Fatalf("initial sync: %v", got)
	}
	tok := syncTokRe.FindStringSubmatch(first.body)[1]
	time.Sleep(1100 * time.Millisecond) // MySQL keeps whole seconds
	u.do("DELETE", "~/work/b.ics", nil, "").want(t, 204, "DELETE")
	delta := u.do("REPORT", "~/work/", nil, syncBody(tok)).want(t, 207, "delta sync")
	if got := syncedFiles(delta.body); got["b.ics"] != "deleted" || got["a.ics"] == "deleted" { // a.ics, written last before the token, may come again
		t.Fatalf("delta after a DAV delete: %v in %s", got, delta.body)
	}
	u.do("REPORT", "~/work/", nil, syncBody("http://apiary.invalid/sync/x")).want(t, 403, "bad sync token")
	u.do("DELETE", "~/work/", nil, "").want(t, 204, "DELETE collection")
	u.do("PROPFIND", "~/work/", map[string]string{"Depth": "0"}, "").want(t, 404, "PROPFIND deleted collection")
}

// TestHandlerForeignDeleteTombstone: a row deleted through the resource
// layer (as JSON:API and GraphQL do) is reported by the next sync, once.
func TestHandlerForeignDeleteTombstone(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("bea")
	u.do("MKCALENDAR", "~/home/", nil, "").want(t, 201, "MKCALENDAR")
	for _, f := range []string{"a", "b", "c"} {
		u.do("PUT", "~/home/"+f+".ics", icsHdr, ev(f, "20270101T090000Z", "20270101T100000Z")).want(t, 201, "PUT "+f)
	}
	tok := syncTokRe.FindStringSubmatch(u.do("REPORT", "~/home/", nil, syncBody("")).body)[1]
	time.Sleep(1100 * time.Millisecond)
	page, err := hs.res.List(u.ctx, "calendar", resource.Query{Conditions: []resource.Condition{cond("file_name", "is", "a.ics")}})
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("a.ics row: %v %v", page, err)
	}
	if err := hs.res.Delete(u.ctx, "calendar", page.Rows[0].RefID); err != nil {
		t.Fatal(err)
	}
	u.do("DELETE", "~/home/b.ics", nil, "").want(t, 204, "DAV delete")
	cp, err := hs.res.List(u.ctx, "calendar", resource.Query{Conditions: []resource.Condition{cond("file_name", "is", "c.ics")}})
	if err != nil || len(cp.Rows) != 1 {
		t.Fatalf("c.ics row: %v %v", cp, err)
	}
	if _, err := hs.res.Update(u.ctx, "calendar", cp.Rows[0].RefID, resource.Input{Attributes: map[string]any{"file_name": "renamed.ics"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "tombstones for the foreign delete and rename", func() bool {
		got := syncedFiles(u.do("REPORT", "~/home/", nil, syncBody(tok)).body)
		return got["a.ics"] == "deleted" && got["b.ics"] == "deleted" && got["c.ics"] == "deleted" && got["renamed.ics"] == "changed"
	})
	time.Sleep(200 * time.Millisecond) // a second tombstone would come now
	stones, err := hs.res.List(u.ctx, tableTombstone, resource.Query{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range stones.Rows {
		count[str(r.Attrs["file_name"])]++
	}
	if len(count) != 3 || count["a.ics"] != 1 || count["b.ics"] != 1 || count["c.ics"] != 1 {
		t.Fatalf("tombstones %v, want one each for a.ics, b.ics and c.ics", count)
	}
}

// TestHandlerRelationshipMoveTombstone: an object moved to another
// collection through the relationship endpoint's write (AddLinks, as
// PATCH /api/calendar/{id}/relationships/collection_id does) leaves a
// tombstone in the collection it left and shows up in the other one.
func TestHandlerRelationshipMoveTombstone(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("cid")
	for _, c := range []string{"home", "work"} {
		u.do("MKCALENDAR", "~/"+c+"/", nil, "").want(t, 201, "MKCALENDAR "+c)
	}
	u.do("PUT", "~/home/d.ics", icsHdr, ev("d", "20270101T090000Z", "20270101T100000Z")).want(t, 201, "PUT d")
	tok := syncTokRe.FindStringSubmatch(u.do("REPORT", "~/home/", nil, syncBody("")).body)[1]
	time.Sleep(1100 * time.Millisecond) // MySQL keeps whole seconds
	obj, err := hs.res.List(u.ctx, "calendar", resource.Query{Conditions: []resource.Condition{cond("file_name", "is", "d.ics")}})
	if err != nil || len(obj.Rows) != 1 {
		t.Fatalf("d.ics row: %v %v", obj, err)
	}
	work, err := hs.res.List(u.ctx, tableCollection, resource.Query{Conditions: []resource.Condition{cond("name", "is", "work")}})
	if err != nil || len(work.Rows) != 1 {
		t.Fatalf("work collection: %v %v", work, err)
	}
	if err := hs.res.AddLinks(u.ctx, "calendar", obj.Rows[0].RefID, "collection_id",
		[]resource.Ref{{Type: tableCollection, ID: work.Rows[0].RefID}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a tombstone for the object moved away", func() bool {
		return syncedFiles(u.do("REPORT", "~/home/", nil, syncBody(tok)).body)["d.ics"] == "deleted"
	})
	u.do("GET", "~/work/d.ics", nil, "").want(t, 200, "GET the moved object")
	u.do("GET", "~/home/d.ics", nil, "").want(t, 404, "GET at the old place")
}

// TestHandlerCollectionDeletedOutsideDAV: a collection deleted through the
// resource layer (as JSON:API and GraphQL do) takes its objects and
// tombstones with it, as a DAV DELETE does.
func TestHandlerCollectionDeletedOutsideDAV(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("dee")
	u.do("MKCALENDAR", "~/gone/", nil, "").want(t, 201, "MKCALENDAR")
	for _, f := range []string{"a", "b"} {
		u.do("PUT", "~/gone/"+f+".ics", icsHdr, ev(f, "20270101T090000Z", "20270101T100000Z")).want(t, 201, "PUT "+f)
	}
	u.do("DELETE", "~/gone/b.ics", nil, "").want(t, 204, "DAV delete (a tombstone)")
	coll, err := hs.res.List(u.ctx, tableCollection, resource.Query{Conditions: []resource.Condition{cond("name", "is", "gone")}})
	if err != nil || len(coll.Rows) != 1 {
		t.Fatalf("collection: %v %v", coll, err)
	}
	if err := hs.res.Delete(u.ctx, tableCollection, coll.Rows[0].RefID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{tableCalendar, tableTombstone} {
		left, err := hs.res.List(auth.WithPrincipal(context.Background(), auth.System()), table, resource.Query{PageSize: 100})
		if err != nil || len(left.Rows) != 0 {
			t.Errorf("%s rows left after their collection was deleted: %d %v", table, len(left.Rows), err)
		}
	}
	u.do("PROPFIND", "~/gone/", map[string]string{"Depth": "0"}, "").want(t, 404, "PROPFIND the deleted collection")
}
