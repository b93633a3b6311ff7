package dav

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

func testDiscoveryAndAuth(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "ann")

	// No credentials: a Basic challenge.
	req, _ := http.NewRequest("PROPFIND", s.URL+"/caldav/", nil)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm="caldav"`) {
		t.Fatalf("anonymous PROPFIND: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// A wrong password is a 401 too.
	bad := &user{s: s, email: u.email, pass: "wrong"}
	bad.do(t, "PROPFIND", "/caldav/", nil, "").want(t, 401, "wrong password")

	// Well-known redirects.
	for _, p := range []string{"caldav", "carddav"} {
		c := *s.Client
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := c.Get(s.URL + "/.well-known/" + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 301 || resp.Header.Get("Location") != "/"+p+"/" {
			t.Fatalf("well-known %s: %d %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	// The principal names both home sets.
	r := u.do(t, "PROPFIND", "/caldav/users/"+u.ref+"/", map[string]string{"Depth": "0"},
		`<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cr="urn:ietf:params:xml:ns:carddav">
		<d:prop><c:calendar-home-set/><cr:addressbook-home-set/><d:displayname/><d:unknown-prop/></d:prop></d:propfind>`).want(t, 207, "principal")
	for _, want := range []string{"<c:calendar-home-set><d:href>" + u.home(), "<cr:addressbook-home-set><d:href>" + u.cardHome(),
		"<d:displayname>ann</d:displayname>", "404 Not Found"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("principal PROPFIND lacks %q: %s", want, r.body)
		}
	}

	// Daptin's empty user id means the caller.
	r = u.do(t, "PROPFIND", "/caldav/users//calendars/", map[string]string{"Depth": "0"}, "").want(t, 207, "empty user id")
	if !strings.Contains(r.body, u.home()) {
		t.Fatalf("empty user id should answer for the caller's home: %s", r.body)
	}

	// A bearer token works as well.
	tok := s.SignIn(t, u.email, u.pass)
	req, _ = http.NewRequest("PROPFIND", s.URL+u.home(), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 207 {
		t.Fatalf("PROPFIND with a JWT: %d", resp.StatusCode)
	}

	// A password change voids the remembered Basic credentials at once.
	u.do(t, "PROPFIND", u.home(), nil, "").want(t, 207, "Basic before the change")
	pr := s.Do(t, http.MethodPatch, "/api/user_account/"+u.ref, map[string]any{"data": map[string]any{"type": "user_account", "id": u.ref,
		"attributes": map[string]any{"password": "ann-new-password"}}}, tok)
	if pr.Status != http.StatusOK {
		t.Fatalf("password change: %d %s", pr.Status, pr.Body)
	}
	u.do(t, "PROPFIND", u.home(), nil, "").want(t, 401, "old password after the change")
	u.pass = "ann-new-password"
	u.do(t, "PROPFIND", u.home(), nil, "").want(t, 207, "new password")
}

func TestDisabledByDefault(t *testing.T) {
	t.Parallel()
	s := testserverStartPlain(t)
	resp, err := s.Client.Get(s.URL + "/caldav/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("GET /caldav/ with caldav.enable off: %d, want 404", resp.StatusCode)
	}
	// Switching it on through the config API applies at once.
	admin := s.Admin(t)
	if r := s.Do(t, http.MethodPost, "/_config/backend/caldav.enable", "true", admin); r.Status != http.StatusOK {
		t.Fatalf("set caldav.enable: %d %s", r.Status, r.Body)
	}
	resp, err = s.Client.Get(s.URL + "/caldav/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("GET /caldav/ after caldav.enable=true: %d, want a 401 challenge", resp.StatusCode)
	}
}

func testCalendarObjects(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "bob")
	cal := u.home() + "work/"
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 405, "MKCALENDAR again")

	// PROPPATCH: display name and color to columns, Apple's calendar-order as a dead property;
	// getetag is computed by the server and refused, which fails the whole request.
	pp := `<d:propertyupdate xmlns:d="DAV:" xmlns:ic="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Work</d:displayname>
	<ic:calendar-color>#ff0000</ic:calendar-color><ic:calendar-order>3</ic:calendar-order></d:prop></d:set></d:propertyupdate>`
	if r := u.do(t, "PROPPATCH", cal, nil, pp).want(t, 207, "PROPPATCH"); strings.Contains(r.body, "403") || strings.Contains(r.body, "424") {
		t.Fatalf("PROPPATCH refused a property: %s", r.body)
	}
	bad := strings.Replace(pp, "<d:displayname>Work</d:displayname>", "<d:getetag>x</d:getetag>", 1)
	if r := u.do(t, "PROPPATCH", cal, nil, bad).want(t, 207, "PROPPATCH protected"); !strings.Contains(r.body, "403 Forbidden") || !strings.Contains(r.body, "424 Failed Dependency") {
		t.Fatalf("PROPPATCH of getetag: %s", r.body)
	}
	r := u.do(t, "PROPFIND", cal, map[string]string{"Depth": "0"}, `<d:propfind xmlns:d="DAV:" xmlns:ic="http://apple.com/ns/ical/"><d:prop>
	<d:displayname/><ic:calendar-color/><ic:calendar-order/></d:prop></d:propfind>`).want(t, 207, "PROPFIND after PROPPATCH")
	for _, want := range []string{"<d:displayname>Work</d:displayname>", "<ic:calendar-color>#ff0000</ic:calendar-color>", "<ic:calendar-order>3</ic:calendar-order>"} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("PROPFIND lacks %s: %s", want, r.body)
		}
	}

	ev := event("e1@test", "Standup", "20261207T090000Z", "20261207T093000Z", "")
	r = u.do(t, "PUT", cal+"e1.ics", calHeaders, ev).want(t, 201, "PUT new")
	etag := r.header.Get("ETag")
	if etag == "" {
		t.Fatal("PUT answered no ETag")
	}
	g := u.do(t, "GET", cal+"e1.ics", nil, "").want(t, 200, "GET")
	if g.body != ev || g.header.Get("ETag") != etag || !strings.HasPrefix(g.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("GET: %q %q %q", g.body, g.header.Get("ETag"), g.header.Get("Content-Type"))
	}
	// If-None-Match: * refuses to overwrite; a stale If-Match is 412.
	u.do(t, "PUT", cal+"e1.ics", map[string]string{"Content-Type": "text/calendar", "If-None-Match": "*"}, ev).want(t, 412, "If-None-Match *")
	ev2 := event("e1@test", "Standup (moved)", "20261207T100000Z", "20261207T103000Z", "")
	r = u.do(t, "PUT", cal+"e1.ics", map[string]string{"Content-Type": "text/calendar", "If-Match": etag}, ev2).want(t, 204, "PUT If-Match")
	etag2 := r.header.Get("ETag")
	if etag2 == etag {
		t.Fatal("ETag did not change on update")
	}
	u.do(t, "PUT", cal+"e1.ics", map[string]string{"Content-Type": "text/calendar", "If-Match": etag}, ev).want(t, 412, "stale If-Match")
	u.do(t, "DELETE", cal+"e1.ics", map[string]string{"If-Match": etag}, "").want(t, 412, "DELETE stale If-Match")

	// Invalid data: 400 or 415, nothing stored.
	u.do(t, "PUT", cal+"bad.ics", calHeaders, "BEGIN:VCALENDAR\r\nnot ical").want(t, 400, "invalid iCalendar")
	u.do(t, "PUT", cal+"bad.ics", calHeaders, strings.Replace(ev, "UID:e1@test\r\n", "", 1)).want(t, 400, "no UID")
	u.do(t, "PUT", cal+"bad.ics", map[string]string{"Content-Type": "application/json"}, `{}`).want(t, 415, "wrong media type")
	u.do(t, "PUT", cal+"dup.ics", calHeaders, ev).want(t, 409, "duplicate UID")
	u.do(t, "GET", cal+"bad.ics", nil, "").want(t, 404, "invalid data not stored")
	u.do(t, "PUT", u.home()+"nothere/x.ics", calHeaders, ev).want(t, 409, "PUT without collection")

	// The searchable columns are visible over JSON:API.
	tok := s.SignIn(t, u.email, u.pass)
	jr := s.Do(t, "GET", "/api/calendar?query="+`[{"column":"uid","operator":"is","value":"e1@test"}]`, nil, tok)
	if jr.Status != 200 || !strings.Contains(string(jr.Body), "Standup (moved)") || !strings.Contains(string(jr.Body), `"start_at"`) {
		t.Fatalf("JSON:API calendar list: %d %s", jr.Status, jr.Body)
	}

	// COPY and MOVE: a copy in the same calendar would repeat the UID.
	other := u.home() + "other/"
	u.do(t, "MKCALENDAR", other, nil, "").want(t, 201, "MKCALENDAR other")
	u.do(t, "COPY", cal+"e1.ics", map[string]string{"Destination": s.URL + cal + "e1-copy.ics"}, "").want(t, 409, "COPY same UID")
	u.do(t, "COPY", cal+"e1.ics", map[string]string{"Destination": s.URL + other + "e1.ics"}, "").want(t, 201, "COPY to other")
	u.do(t, "MOVE", other+"e1.ics", map[string]string{"Destination": other + "renamed.ics"}, "").want(t, 201, "MOVE rename")
	u.do(t, "GET", other+"e1.ics", nil, "").want(t, 404, "GET moved source")
	if g := u.do(t, "GET", other+"renamed.ics", nil, "").want(t, 200, "GET moved"); !strings.Contains(g.body, "Standup (moved)") {
		t.Fatalf("moved object: %s", g.body)
	}
	u.do(t, "MOVE", other+"renamed.ics", map[string]string{"Destination": s.URL + cal + "e1.ics", "Overwrite": "F"}, "").want(t, 412, "MOVE no overwrite")
	u.do(t, "MOVE", other+"renamed.ics", map[string]string{"Destination": "/caldav/users/" + u.ref + "/../x"}, "").want(t, 400, "MOVE traversal")

	u.do(t, "DELETE", cal+"e1.ics", map[string]string{"If-Match": etag2}, "").want(t, 204, "DELETE")
	u.do(t, "GET", cal+"e1.ics", nil, "").want(t, 404, "GET after DELETE")
	u.do(t, "DELETE", cal, nil, "").want(t, 204, "DELETE collection")
	u.do(t, "PROPFIND", cal, map[string]string{"Depth": "0"}, "").want(t, 404, "PROPFIND deleted collection")
}
