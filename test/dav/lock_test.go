package dav

import (
	"regexp"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

var lockTokenRe = regexp.MustCompile(`<(opaquelocktoken:[0-9a-f-]{36})>`)

const exclusiveLock = `<d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype>` +
	`<d:owner><d:href>mailto:me@example.com</d:href></d:owner></d:lockinfo>`

// testLocks: WebDAV class 2 end to end: LOCK, 423 without the token,
// writes with it, the If header, lockdiscovery, depth-infinity locks on
// plain collections, UNLOCK.
func testLocks(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "locker")
	other := newUser(t, s, "lockother")
	if dav := u.do(t, "OPTIONS", u.home(), nil, "").header.Get("DAV"); !strings.HasPrefix(dav, "1, 2, 3") {
		t.Fatalf("DAV header %q does not advertise class 2", dav)
	}
	cal := u.home() + "locked/"
	ev := cal + "a.ics"
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	body := event("lock-a", "A", "20261207T100000Z", "20261207T110000Z", "")
	put := map[string]string{"Content-Type": "text/calendar"}
	u.do(t, "PUT", ev, put, body).want(t, 201, "PUT")

	lk := u.do(t, "LOCK", ev, map[string]string{"Timeout": "Second-600"}, exclusiveLock).want(t, 200, "LOCK")
	m := lockTokenRe.FindStringSubmatch(lk.header.Get("Lock-Token"))
	if m == nil || !strings.Contains(lk.body, m[1]) || !strings.Contains(lk.body, "mailto:me@example.com") {
		t.Fatalf("LOCK answer: Lock-Token %q body %s", lk.header.Get("Lock-Token"), lk.body)
	}
	tok := m[1]
	u.do(t, "LOCK", ev, nil, exclusiveLock).want(t, 423, "second exclusive LOCK")
	other.do(t, "LOCK", other.home()+"x/a.ics", nil, exclusiveLock).want(t, 409, "LOCK in a missing collection")

	changed := event("lock-a", "A2", "20261207T100000Z", "20261207T110000Z", "")
	u.do(t, "PUT", ev, put, changed).want(t, 423, "PUT without the token")
	u.do(t, "DELETE", ev, nil, "").want(t, 423, "DELETE without the token")
	u.do(t, "PROPPATCH", ev, nil, `<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x:a xmlns:x="urn:x">1</x:a></d:prop></d:set></d:propertyupdate>`).
		want(t, 423, "PROPPATCH without the token")
	u.do(t, "MOVE", ev, map[string]string{"Destination": u.s.URL + cal + "b.ics"}, "").want(t, 423, "MOVE without the token")
	u.do(t, "DELETE", cal, nil, "").want(t, 423, "DELETE of the collection holding a locked object")
	u.do(t, "PUT", ev, map[string]string{"Content-Type": "text/calendar", "If": `(<opaquelocktoken:00000000-0000-4000-8000-000000000000>)`}, changed).
		want(t, 412, "PUT with an unknown token")
	u.do(t, "PUT", ev, map[string]string{"Content-Type": "text/calendar", "If": `(<` + tok + `> ["wrong"])`}, changed).
		want(t, 412, "PUT with the token and a wrong ETag")
	u.do(t, "PUT", ev, map[string]string{"Content-Type": "text/calendar", "If": `(` + tok + `)`}, changed).
		want(t, 400, "malformed If header")
	pf := u.do(t, "PROPFIND", ev, map[string]string{"Depth": "0"},
		`<d:propfind xmlns:d="DAV:"><d:prop><d:lockdiscovery/><d:supportedlock/></d:prop></d:propfind>`).want(t, 207, "PROPFIND")
	if !strings.Contains(pf.body, tok) || !strings.Contains(pf.body, "<d:shared/>") {
		t.Fatalf("lockdiscovery/supportedlock missing: %s", pf.body)
	}
	u.do(t, "PUT", ev, map[string]string{"Content-Type": "text/calendar", "If": `<` + u.s.URL + ev + `> (<` + tok + `>)`}, changed).
		want(t, 204, "PUT with the token")
	refresh := u.do(t, "LOCK", ev, map[string]string{"If": `(<` + tok + `>)`, "Timeout": "Second-60"}, "").want(t, 200, "refresh")
	if !strings.Contains(refresh.body, "Second-60") && !strings.Contains(refresh.body, "Second-59") {
		t.Fatalf("refresh timeout: %s", refresh.body)
	}
	u.do(t, "UNLOCK", ev, map[string]string{"Lock-Token": "<opaquelocktoken:00000000-0000-4000-8000-000000000000>"}, "").want(t, 409, "UNLOCK with a wrong token")
	u.do(t, "UNLOCK", ev, map[string]string{"Lock-Token": "<" + tok + ">"}, "").want(t, 204, "UNLOCK")
	u.do(t, "PUT", ev, put, body).want(t, 204, "PUT after UNLOCK")

	// A Depth: infinity lock on a plain collection covers what is inside.
	docs := u.home() + "docs/"
	u.do(t, "MKCOL", docs, nil, "").want(t, 201, "MKCOL")
	clk := u.do(t, "LOCK", docs, map[string]string{"Depth": "infinity"}, exclusiveLock).want(t, 200, "LOCK collection")
	ctok := lockTokenRe.FindStringSubmatch(clk.header.Get("Lock-Token"))[1]
	u.do(t, "PUT", docs+"a.txt", nil, "x").want(t, 423, "PUT into a locked collection")
	u.do(t, "MKCOL", docs+"sub/", nil, "").want(t, 423, "MKCOL inside a locked collection")
	u.do(t, "COPY", ev, map[string]string{"Destination": u.s.URL + docs + "copy.ics"}, "").want(t, 423, "COPY into a locked collection")
	u.do(t, "PUT", docs+"a.txt", map[string]string{"If": "(<" + ctok + ">)"}, "x").want(t, 201, "PUT with the collection's token")
	u.do(t, "LOCK", docs+"a.txt", nil, exclusiveLock).want(t, 423, "LOCK of a member of a locked collection")
	u.do(t, "DELETE", docs, map[string]string{"If": "(<" + ctok + ">)"}, "").want(t, 204, "DELETE with the token")
	u.do(t, "MKCOL", docs, nil, "").want(t, 201, "MKCOL again: the lock went with the collection")
	u.do(t, "PUT", docs+"a.txt", nil, "x").want(t, 201, "PUT into the new collection")

	// A Depth: 0 lock on a collection guards its membership only.
	zlk := u.do(t, "LOCK", docs, map[string]string{"Depth": "0"}, exclusiveLock).want(t, 200, "LOCK collection, Depth 0")
	ztok := lockTokenRe.FindStringSubmatch(zlk.header.Get("Lock-Token"))[1]
	u.do(t, "PUT", docs+"a.txt", nil, "changed").want(t, 204, "PUT over a member of a Depth 0 locked collection")
	u.do(t, "PUT", docs+"b.txt", nil, "new").want(t, 423, "PUT adding a member without the token")
	u.do(t, "DELETE", docs+"a.txt", nil, "").want(t, 423, "DELETE of a member without the token")
	u.do(t, "PUT", docs+"b.txt", map[string]string{"If": "<" + u.s.URL + docs + "> (<" + ztok + ">)"}, "new").want(t, 201, "PUT adding a member with the token")
	u.do(t, "UNLOCK", docs, map[string]string{"Lock-Token": "<" + ztok + ">"}, "").want(t, 204, "UNLOCK Depth 0")

	// LOCK on an unmapped URL creates the object; a calendar refuses an
	// empty one and no lock is left behind.
	nl := u.do(t, "LOCK", docs+"new.txt", nil, exclusiveLock).want(t, 201, "LOCK of an unmapped URL")
	if g := u.do(t, "GET", docs+"new.txt", nil, "").want(t, 200, "GET locked empty object"); g.body != "" {
		t.Fatalf("unmapped LOCK stored %q", g.body)
	}
	if nl.header.Get("Lock-Token") == "" {
		t.Fatal("no Lock-Token on the unmapped LOCK")
	}
	u.do(t, "LOCK", cal+"empty.ics", nil, exclusiveLock).want(t, 400, "LOCK creating an empty calendar object")
	u.do(t, "PUT", cal+"empty.ics", put, event("lock-e", "E", "20261207T100000Z", "20261207T110000Z", "")).want(t, 201, "PUT where the LOCK failed")
	u.do(t, "LOCK", cal, nil, `<d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope></d:lockinfo>`).want(t, 400, "LOCK without a locktype")
	u.do(t, "LOCK", cal, map[string]string{"Depth": "1"}, exclusiveLock).want(t, 400, "LOCK with Depth 1")
	u.do(t, "LOCK", u.home(), nil, exclusiveLock).want(t, 403, "LOCK of the home set")
}
