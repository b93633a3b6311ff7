package dav

import (
	"bufio"
	"net"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// rawStatus sends a request line as is (no client-side path cleaning) and
// returns the status code.
func rawStatus(t *testing.T, u *user, method, path string) int {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(u.s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req, _ := newRawRequest(method, path, u)
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var code int
	_, _ = fmtSscanf(line, &code)
	return code
}

func testBadInput(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "mal")
	other := newUser(t, s, "vic")
	other.do(t, "MKCALENDAR", other.home()+"private/", nil, "").want(t, 201, "victim calendar")
	other.do(t, "PUT", other.home()+"private/secret.ics", calHeaders, event("s@test", "Secret", "20261207T090000Z", "20261207T100000Z", "")).want(t, 201, "victim event")

	bomb := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
	<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&lol3;</d:displayname></d:prop></d:propfind>`
	deep := strings.Repeat("<d:x xmlns:d=\"DAV:\">", 100) + strings.Repeat("</d:x>", 100)
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		want                     int
	}{
		{"XML bomb", "PROPFIND", u.home(), bomb, map[string]string{"Depth": "0"}, 400},
		{"external entity", "PROPFIND", u.home(), `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><d:propfind xmlns:d="DAV:"><d:prop>&e;</d:prop></d:propfind>`, nil, 400},
		{"undefined entity", "PROPFIND", u.home(), `<d:propfind xmlns:d="DAV:"><d:prop>&nope;</d:prop></d:propfind>`, nil, 400},
		{"malformed XML", "PROPFIND", u.home(), `<d:propfind xmlns:d="DAV:"><d:prop>`, nil, 400},
		{"too deep XML", "REPORT", u.home() + "x/", deep, nil, 400},
		{"wrong root", "PROPFIND", u.home(), `<d:multistatus xmlns:d="DAV:"/>`, nil, 400},
		{"depth infinity", "PROPFIND", u.home(), "", map[string]string{"Depth": "infinity"}, 403},
		{"bad depth", "PROPFIND", u.home(), "", map[string]string{"Depth": "7"}, 400},
		{"another user's principal", "PROPFIND", "/caldav/users/" + other.ref + "/", "", nil, 403},
		{"another user's calendar", "PROPFIND", other.home() + "private/", "", nil, 403},
		{"another user's object", "GET", other.home() + "private/secret.ics", "", nil, 403},
		{"another user's object by collection id", "GET", u.home() + "private/secret.ics", "", nil, 404},
		{"PUT into another user's calendar", "PUT", other.home() + "private/x.ics", event("x@test", "x", "20261207T090000Z", "20261207T100000Z", ""), calHeaders, 403},
		{"encoded slash", "GET", u.home() + "a%2Fb/c.ics", "", nil, 400},
		{"bad time-range", "REPORT", u.home() + "mine/", `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="yesterday"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`, nil, 400},
		{"unsupported report", "REPORT", u.home() + "mine/", `<d:expand-property xmlns:d="DAV:"/>`, nil, 403},
		{"MKCOL with a non-XML body", "MKCOL", u.home() + "junk/", "hello", map[string]string{"Content-Type": "text/plain"}, 415},
		{"nested collection", "MKCOL", u.home() + "mine/sub/", "", nil, 403},
	}
	u.do(t, "MKCALENDAR", u.home()+"mine/", nil, "").want(t, 201, "own calendar")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := u.do(t, tc.method, tc.path, tc.hdr, tc.body)
			if r.status != tc.want {
				t.Fatalf("%s %s: %d, want %d: %s", tc.method, tc.path, r.status, tc.want, r.body)
			}
			if strings.Contains(r.body, "Secret") || strings.Contains(r.body, "lollol") {
				t.Fatalf("answer leaks data: %s", r.body)
			}
		})
	}
	// Dot segments sent raw (a browser-like client would clean them).
	for _, p := range []string{u.home() + "../../" + other.ref + "/calendars/private/secret.ics", u.home() + "mine/../mine/x.ics",
		"/caldav/users/" + u.ref + "/calendars/%2e%2e/x.ics"} {
		if code := rawStatus(t, u, "GET", p); code != 400 && code != 403 {
			t.Errorf("raw GET %s: %d, want 400 or 403", p, code)
		}
	}
	// Nothing was written: mal still has only "mine", and it is empty.
	r := u.do(t, "PROPFIND", u.home(), map[string]string{"Depth": "1"}, "").want(t, 207, "home after bad input")
	if strings.Count(r.body, "<d:response>") != 2 {
		t.Fatalf("bad input created collections: %s", r.body)
	}
	r = u.do(t, "PROPFIND", u.home()+"mine/", map[string]string{"Depth": "1"}, "").want(t, 207, "mine after bad input")
	if strings.Count(r.body, "<d:response>") != 1 {
		t.Fatalf("bad input created objects: %s", r.body)
	}
	g := other.do(t, "GET", other.home()+"private/secret.ics", nil, "").want(t, 200, "victim event intact")
	if !strings.Contains(g.body, "Secret") {
		t.Fatal("victim event changed")
	}
}
