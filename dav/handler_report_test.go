package dav

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// reported returns the object file names of a multistatus, sorted.
func reported(body string) []string {
	var out []string
	for f, st := range syncedFiles(body) {
		if st == "changed" {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

func monthQuery(start, end string) string {
	return `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
	<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="` + start + `" end="` + end + `"/>
	</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`
}

// TestHandlerReports: calendar-query (plain and recurring), multiget and
// free-busy over stored objects.
func TestHandlerReports(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("cid")
	u.do("MKCALENDAR", "~/cal/", nil, "").want(t, 201, "MKCALENDAR")
	objs := map[string]string{
		"jan.ics":  ev("jan", "20270115T090000Z", "20270115T100000Z"),
		"feb.ics":  ev("feb", "20270215T090000Z", "20270215T100000Z"),
		"edge.ics": ev("edge", "20270131T230000Z", "20270201T010000Z"),
		"weekly.ics": strings.Replace(ev("weekly", "20270104T090000Z", "20270104T100000Z"), "SUMMARY:",
			"RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE:20270201T090000Z\r\nSUMMARY:", 1),
		"todo.ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:todo\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
		"free.ics": strings.Replace(ev("free", "20270116T090000Z", "20270116T100000Z"), "SUMMARY:", "TRANSP:TRANSPARENT\r\nSUMMARY:", 1),
	}
	for f, data := range objs {
		u.do("PUT", "~/cal/"+f, icsHdr, data).want(t, 201, "PUT "+f)
	}
	cases := []struct {
		name, start, end string
		want             string
	}{
		{"January", "20270101T000000Z", "20270201T000000Z", "edge.ics,free.ics,jan.ics,weekly.ics"},
		{"February", "20270201T000000Z", "20270301T000000Z", "edge.ics,feb.ics,weekly.ics"},
		{"excluded Monday only", "20270201T080000Z", "20270201T120000Z", ""},
		{"last weekly", "20270208T000000Z", "20270209T000000Z", "weekly.ics"},
		{"after the count", "20270215T000000Z", "20270215T080000Z", ""},
		{"March", "20270301T000000Z", "20270401T000000Z", ""},
	}
	for _, tc := range cases {
		r := u.do("REPORT", "~/cal/", map[string]string{"Depth": "1"}, monthQuery(tc.start, tc.end)).want(t, 207, tc.name)
		if got := strings.Join(reported(r.body), ","); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	todos := u.do("REPORT", "~/cal/", nil, `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
	<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/></c:comp-filter></c:filter></c:calendar-query>`).want(t, 207, "todos")
	if got := strings.Join(reported(todos.body), ","); got != "todo.ics" {
		t.Errorf("VTODO query: %s", got)
	}
	u.do("REPORT", "~/cal/", nil, `<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:filter><c:comp-filter name="VEVENT"/></c:filter></c:calendar-query>`).
		want(t, 403, "filter without VCALENDAR")
	u.do("REPORT", "~/cal/", nil, `<c:addressbook-query xmlns:c="urn:ietf:params:xml:ns:carddav"/>`).want(t, 403, "addressbook-query on a calendar")
	u.do("REPORT", "~/cal/", nil, "").want(t, 400, "REPORT without a body")

	base := "/caldav/users/" + u.p.UserRef + "/calendars/cal/"
	mg := u.do("REPORT", "~/cal/", nil, `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
	<d:href>`+base+`jan.ics</d:href><d:href>`+base+`nope.ics</d:href><d:href>/caldav/users/someone/calendars/cal/jan.ics</d:href></c:calendar-multiget>`).want(t, 207, "multiget")
	if !strings.Contains(mg.body, "UID:jan") || strings.Count(mg.body, "404 Not Found") != 2 {
		t.Errorf("multiget: %s", mg.body)
	}

	fb := u.do("REPORT", "~/cal/", nil, `<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20270111T000000Z" end="20270118T000000Z"/></c:free-busy-query>`).want(t, 200, "free-busy")
	periods := regexp.MustCompile(`FREEBUSY;FBTYPE=BUSY:([0-9TZ/]+)`).FindAllStringSubmatch(fb.body, -1)
	if len(periods) != 2 || periods[0][1] != "20270111T090000Z/20270111T100000Z" || periods[1][1] != "20270115T090000Z/20270115T100000Z" {
		t.Errorf("free-busy periods (the transparent event is free): %v in %s", periods, fb.body)
	}
	u.do("REPORT", "~/cal/", nil, `<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20270118T000000Z" end="20270111T000000Z"/></c:free-busy-query>`).want(t, 400, "free-busy backwards")
}

// TestHandlerAddressBook: an extended MKCOL makes an address book that
// takes vCards only and answers addressbook-query.
func TestHandlerAddressBook(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("dot")
	mk := `<d:mkcol xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><cr:addressbook/></d:resourcetype><d:displayname>People</d:displayname></d:prop></d:set></d:mkcol>`
	u.do("MKCOL", "~/people/", map[string]string{"Content-Type": "application/xml"}, mk).want(t, 201, "MKCOL address book")
	u.do("MKCOL", "~/plain/", map[string]string{"Content-Type": "text/plain"}, "x").want(t, 415, "MKCOL with a text body")
	vc := func(uid, fn, email string) string {
		return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + fn + "\r\nEMAIL:" + email + "\r\nEND:VCARD\r\n"
	}
	vcf := map[string]string{"Content-Type": "text/vcard"}
	u.do("PUT", "/carddav/users/"+u.p.UserRef+"/calendars/people/ann.vcf", vcf, vc("ann", "Ann Lee", "ann@x.test")).want(t, 201, "PUT ann")
	u.do("PUT", "~/people/bob.vcf", vcf, vc("bob", "Bob Ray", "bob@y.test")).want(t, 201, "PUT bob")
	u.do("PUT", "~/people/cal.vcf", icsHdr, ev("x", "20270101T000000Z", "20270101T010000Z")).want(t, 415, "iCalendar into an address book")
	u.do("PUT", "~/people/bad.vcf", vcf, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n").want(t, 400, "vCard without UID")
	q := func(prop, text, match string) string {
		return `<cr:addressbook-query xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><cr:filter>` +
			`<cr:prop-filter name="` + prop + `"><cr:text-match match-type="` + match + `">` + text + `</cr:text-match></cr:prop-filter></cr:filter></cr:addressbook-query>`
	}
	vcfRe := regexp.MustCompile(`/([a-z]+\.vcf)</d:href><d:propstat>`)
	for _, tc := range []struct{ prop, text, match, want string }{
		{"FN", "ann", "contains", "ann.vcf"},
		{"EMAIL", "y.test", "ends-with", "bob.vcf"},
		{"FN", "B", "starts-with", "bob.vcf"},
		{"FN", "zed", "contains", ""},
	} {
		r := u.do("REPORT", "~/people/", nil, q(tc.prop, tc.text, tc.match)).want(t, 207, "addressbook-query")
		var got []string
		for _, m := range vcfRe.FindAllStringSubmatch(r.body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s %s %s: %v, want %s", tc.prop, tc.match, tc.text, got, tc.want)
		}
	}
	all := u.do("REPORT", "~/people/", nil, `<cr:addressbook-query xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop></cr:addressbook-query>`).want(t, 207, "addressbook-query without a filter")
	if n := len(vcfRe.FindAllString(all.body, -1)); n != 2 {
		t.Errorf("no filter matches every card: %d in %s", n, all.body)
	}
	u.do("REPORT", "~/people/", nil, `<cr:addressbook-query xmlns:cr="urn:ietf:params:xml:ns:carddav"><cr:filter test="some"/></cr:addressbook-query>`).want(t, 400, "bad filter test")
	pf := u.do("PROPFIND", "~/people/", map[string]string{"Depth": "0"}, "").want(t, 207, "PROPFIND address book")
	if !strings.Contains(pf.body, "<cr:addressbook/>") || !strings.Contains(pf.body, "People") {
		t.Errorf("address book properties: %s", pf.body)
	}
}

// TestHandlerPropfindProppatchCopyMove: properties of every level, dead
// properties, and copying or moving objects between calendars.
func TestHandlerPropfindProppatchCopyMove(t *testing.T) {
	hs := newHarness(t)
	u := hs.user("eve")
	u.do("MKCALENDAR", "~/a/", nil, "").want(t, 201, "MKCALENDAR a")
	u.do("MKCALENDAR", "~/b/", nil, "").want(t, 201, "MKCALENDAR b")
	u.do("PUT", "~/a/x.ics", icsHdr, ev("x", "20270101T090000Z", "20270101T100000Z")).want(t, 201, "PUT")

	root := u.do("PROPFIND", "/caldav/", map[string]string{"Depth": "0"}, `<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>`).want(t, 207, "root")
	if !strings.Contains(root.body, "/caldav/users/"+u.p.UserRef+"/") {
		t.Errorf("current-user-principal: %s", root.body)
	}
	pr := u.do("PROPFIND", "/caldav/users/"+u.p.UserRef+"/", map[string]string{"Depth": "0"}, `<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/><d:nonsense/></d:prop></d:propfind>`).want(t, 207, "principal")
	if !strings.Contains(pr.body, "/calendars/</d:href></c:calendar-home-set>") || !strings.Contains(pr.body, "404 Not Found") {
		t.Errorf("principal: home set found and an unknown property 404: %s", pr.body)
	}
	home := u.do("PROPFIND", "~/", map[string]string{"Depth": "1"}, "").want(t, 207, "home")
	if n := strings.Count(home.body, "<d:response>"); n != 3 {
		t.Errorf("home Depth 1 lists %d resources, want 3: %s", n, home.body)
	}
	col := u.do("PROPFIND", "~/a/", map[string]string{"Depth": "1"}, "").want(t, 207, "collection")
	if !strings.Contains(col.body, "x.ics") || !strings.Contains(col.body, "<c:calendar/>") {
		t.Errorf("collection Depth 1: %s", col.body)
	}

	patch := `<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:example"><d:set><d:prop><d:displayname>Work</d:displayname><x:tag>t&amp;1</x:tag></d:prop></d:set></d:propertyupdate>`
	u.do("PROPPATCH", "~/a/", nil, patch).want(t, 207, "PROPPATCH")
	got := u.do("PROPFIND", "~/a/", map[string]string{"Depth": "0"}, `<d:propfind xmlns:d="DAV:" xmlns:x="urn:example"><d:prop><d:displayname/><x:tag/></d:prop></d:propfind>`).want(t, 207, "PROPFIND after PROPPATCH")
	if !strings.Contains(got.body, ">Work</d:displayname>") || !strings.Contains(got.body, "t&amp;1") {
		t.Errorf("patched properties: %s", got.body)
	}
	refused := u.do("PROPPATCH", "~/a/", nil, `<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:example"><d:set><d:prop><d:getetag>x</d:getetag><x:other>1</x:other></d:prop></d:set></d:propertyupdate>`).want(t, 207, "PROPPATCH of a live property")
	if !strings.Contains(refused.body, "403 Forbidden") || !strings.Contains(refused.body, "424 Failed Dependency") {
		t.Errorf("a refused property fails the request: %s", refused.body)
	}
	u.do("PROPPATCH", "~/a/", nil, `<d:propfind xmlns:d="DAV:"/>`).want(t, 400, "PROPPATCH with a propfind body")

	dest := func(p string) map[string]string {
		return map[string]string{"Destination": "http://example.com/caldav/users/" + u.p.UserRef + "/calendars/" + p}
	}
	u.do("COPY", "~/a/x.ics", dest("b/x.ics"), "").want(t, 201, "COPY")
	u.do("COPY", "~/a/x.ics", map[string]string{"Destination": dest("b/x.ics")["Destination"], "Overwrite": "F"}, "").want(t, 412, "COPY Overwrite F")
	u.do("COPY", "~/a/x.ics", dest("nope/x.ics"), "").want(t, 409, "COPY into a missing collection")
	u.do("COPY", "~/a/x.ics", map[string]string{"Destination": "/caldav/users/someone/calendars/b/y.ics"}, "").want(t, 403, "COPY to another user")
	u.do("COPY", "~/a/x.ics", map[string]string{"Destination": "/files/y.ics"}, "").want(t, 502, "COPY out of the tree")
	u.do("COPY", "~/a/x.ics", nil, "").want(t, 400, "COPY without Destination")
	u.do("MOVE", "~/b/x.ics", dest("b/y.ics"), "").want(t, 201, "MOVE renames within a collection")
	u.do("GET", "~/b/x.ics", nil, "").want(t, 404, "the renamed source")
	u.do("MOVE", "~/a/x.ics", dest("b/z.ics"), "").want(t, 409, "MOVE next to an object with the same UID")
	u.do("DELETE", "~/b/y.ics", nil, "").want(t, 204, "DELETE the copy")
	u.do("MOVE", "~/a/x.ics", dest("b/y.ics"), "").want(t, 201, "MOVE")
	u.do("GET", "~/a/x.ics", nil, "").want(t, 404, "the moved source")
	if g := u.do("GET", "~/b/y.ics", nil, "").want(t, 200, "the moved object"); !strings.Contains(g.body, "UID:x") {
		t.Errorf("moved content: %s", g.body)
	}
}
