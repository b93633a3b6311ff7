package dav

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// start boots a server with CalDAV on.
func start(t testing.TB) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.WithConfig(func(c *server.Config) { c.CalDAV = true }))
}

// user is a signed-up account talking DAV with Basic auth.
type user struct {
	s           *testserver.Server
	email, pass string
	ref         string // user reference id, from current-user-principal
}

// newUser signs up an account and discovers its principal.
func newUser(t testing.TB, s *testserver.Server, name string) *user {
	t.Helper()
	u := &user{s: s, email: name + "@example.test", pass: name + "-password"}
	s.SignUp(t, name, u.email, u.pass)
	r := u.do(t, "PROPFIND", "/caldav/", map[string]string{"Depth": "0"},
		`<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>`)
	m := regexp.MustCompile(`/caldav/users/([0-9a-f-]{36})/`).FindStringSubmatch(r.body)
	if r.status != 207 || m == nil {
		t.Fatalf("principal discovery: %d %s", r.status, r.body)
	}
	u.ref = m[1]
	return u
}

type reply struct {
	status int
	header http.Header
	body   string
}

// do sends one request with Basic auth.
func (u *user) do(t testing.TB, method, path string, hdr map[string]string, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, u.s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(u.email, u.pass)
	if body != "" && strings.HasPrefix(strings.TrimSpace(body), "<") {
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := u.s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

// home is the user's calendar home path.
func (u *user) home() string { return "/caldav/users/" + u.ref + "/calendars/" }

// cardHome is the user's address book home path.
func (u *user) cardHome() string { return "/carddav/users/" + u.ref + "/calendars/" }

// want fails the test unless r has status code.
func (r reply) want(t testing.TB, code int, what string) reply {
	t.Helper()
	if r.status != code {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, code, r.body)
	}
	return r
}

// event renders a minimal VEVENT.
func event(uid, summary, start, end, extra string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//apiary test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:" + start + "\r\nDTEND:" + end + "\r\nSUMMARY:" + summary + "\r\n" + extra +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
}

// card renders a minimal vCard 3.0.
func card(uid, name, email string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + name + "\r\nN:" + name + ";;;;\r\nEMAIL:" + email + "\r\nEND:VCARD\r\n"
}

var calHeaders = map[string]string{"Content-Type": "text/calendar; charset=utf-8"}

// mkAddressBook is an extended MKCOL body (RFC 5689) creating an address book.
const mkAddressBook = `<d:mkcol xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>
<d:resourcetype><d:collection/><cr:addressbook/></d:resourcetype><d:displayname>Contacts</d:displayname></d:prop></d:set></d:mkcol>`
