package dav

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

func calendarQuery(start, end string) string {
	return `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
	<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="` + start + `" end="` + end + `"/>
	</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`
}

// hrefs returns the object names in a multistatus, in order.
func hrefs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<d:href>[^<]*/([^/<]+\.(?:ics|vcf))</d:href>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func testCalendarQueryRecurring(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "cat")
	cal := u.home() + "home/"
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	// Weekly on Mondays from 2026-12-07, except 2026-12-14; ends after 4.
	u.do(t, "PUT", cal+"weekly.ics", calHeaders, event("w@test", "Weekly", "20261207T090000Z", "20261207T100000Z",
		"RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20261214T090000Z\r\n")).want(t, 201, "PUT weekly")
	// Daily forever from 2027-01-01.
	u.do(t, "PUT", cal+"daily.ics", calHeaders, event("d@test", "Daily", "20270101T120000Z", "20270101T123000Z",
		"RRULE:FREQ=DAILY\r\n")).want(t, 201, "PUT daily")
	u.do(t, "PUT", cal+"once.ics", calHeaders, event("o@test", "Once", "20261215T080000Z", "20261215T090000Z", "")).want(t, 201, "PUT once")
	// An all-day event on 2026-12-24.
	u.do(t, "PUT", cal+"xmas.ics", calHeaders, strings.Replace(strings.Replace(event("x@test", "Eve", "X", "Y", ""),
		"DTSTART:X", "DTSTART;VALUE=DATE:20261224", 1), "DTEND:Y", "DTEND;VALUE=DATE:20261225", 1)).want(t, 201, "PUT all-day")

	cases := []struct {
		name, start, end string
		want             []string
	}{
		{"first monday", "20261207T000000Z", "20261208T000000Z", []string{"weekly.ics"}},
		{"excluded monday", "20261214T000000Z", "20261215T000000Z", nil},
		{"day after the exdate", "20261215T000000Z", "20261216T000000Z", []string{"once.ics"}},
		{"third monday", "20261221T000000Z", "20261222T000000Z", []string{"weekly.ics"}},
		{"fourth monday", "20261228T000000Z", "20261229T000000Z", []string{"weekly.ics"}},
		{"after the count", "20270104T000000Z", "20270105T000000Z", []string{"daily.ics"}},
		{"inside an instance", "20261207T093000Z", "20261207T094000Z", []string{"weekly.ics"}},
		{"all-day event", "20261224T150000Z", "20261224T160000Z", []string{"xmas.ics"}},
		{"far future daily", "20300606T000000Z", "20300607T000000Z", []string{"daily.ics"}},
		{"december", "20261201T000000Z", "20270101T000000Z", []string{"once.ics", "weekly.ics", "xmas.ics"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := u.do(t, "REPORT", cal, map[string]string{"Depth": "1"}, calendarQuery(tc.start, tc.end)).want(t, 207, "calendar-query")
			got := hrefs(r.body)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v\n%s", got, tc.want, r.body)
			}
			if len(got) > 0 && (!strings.Contains(r.body, "BEGIN:VCALENDAR") || !strings.Contains(r.body, "<d:getetag>")) {
				t.Fatalf("answer lacks calendar-data or getetag: %s", r.body)
			}
		})
	}

	// free-busy-query: the busy periods of December, recurrences expanded.
	fb := u.do(t, "REPORT", cal, map[string]string{"Depth": "1"}, `<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav">
	<c:time-range start="20261201T000000Z" end="20270101T000000Z"/></c:free-busy-query>`).want(t, 200, "free-busy-query")
	for _, want := range []string{"FREEBUSY;FBTYPE=BUSY:20261207T090000Z/20261207T100000Z", "FREEBUSY;FBTYPE=BUSY:20261215T080000Z/20261215T090000Z",
		"FREEBUSY;FBTYPE=BUSY:20261221T090000Z/20261221T100000Z", "FREEBUSY;FBTYPE=BUSY:20261224T000000Z/20261225T000000Z",
		"FREEBUSY;FBTYPE=BUSY:20261228T090000Z/20261228T100000Z"} {
		if !strings.Contains(fb.body, want) {
			t.Errorf("free-busy lacks %s:\n%s", want, fb.body)
		}
	}
	if strings.Count(fb.body, "FREEBUSY;") != 5 || strings.Contains(fb.body, "20261214T09") {
		t.Errorf("free-busy has extra periods:\n%s", fb.body)
	}

	// calendar-multiget: two present objects and one missing.
	mg := `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
	<d:href>` + cal + `once.ics</d:href><d:href>` + cal + `weekly.ics</d:href><d:href>` + cal + `gone.ics</d:href></c:calendar-multiget>`
	r := u.do(t, "REPORT", cal, map[string]string{"Depth": "1"}, mg).want(t, 207, "multiget")
	if got := hrefs(r.body); strings.Join(got, ",") != "once.ics,weekly.ics,gone.ics" || !strings.Contains(r.body, "404 Not Found") ||
		strings.Count(r.body, "BEGIN:VEVENT") != 2 {
		t.Fatalf("multiget: %v %s", got, r.body)
	}
}

func syncReport(token string) string {
	return `<d:sync-collection xmlns:d="DAV:"><d:sync-token>` + token + `</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`
}

var tokenRe = regexp.MustCompile(`<d:sync-token>([^<]+)</d:sync-token>`)

func testSyncCollectionAndCTag(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "dan")
	cal := u.home() + "sync/"
	u.do(t, "MKCALENDAR", cal, nil, "").want(t, 201, "MKCALENDAR")
	for _, n := range []string{"a", "b", "c"} {
		u.do(t, "PUT", cal+n+".ics", calHeaders, event(n+"@test", n, "20261207T090000Z", "20261207T100000Z", "")).want(t, 201, "PUT "+n)
	}
	r := u.do(t, "REPORT", cal, nil, syncReport("")).want(t, 207, "initial sync")
	if got := hrefs(r.body); strings.Join(got, ",") != "a.ics,b.ics,c.ics" {
		t.Fatalf("initial sync: %v", got)
	}
	tok := tokenRe.FindStringSubmatch(r.body)[1]
	ctag := func() string {
		r := u.do(t, "PROPFIND", cal, map[string]string{"Depth": "0"},
			`<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>`)
		return regexp.MustCompile(`<cs:getctag>([^<]+)</cs:getctag>`).FindStringSubmatch(r.body)[1]
	}
	c0 := ctag()

	u.do(t, "DELETE", cal+"b.ics", nil, "").want(t, 204, "DELETE b")
	u.do(t, "PUT", cal+"d.ics", calHeaders, event("d@test", "d", "20261207T090000Z", "20261207T100000Z", "")).want(t, 201, "PUT d")
	r = u.do(t, "REPORT", cal, nil, syncReport(tok)).want(t, 207, "delta sync")
	if !strings.Contains(r.body, "d.ics") || !strings.Contains(r.body, "b.ics</d:href><d:status>HTTP/1.1 404") || strings.Contains(r.body, "a.ics") {
		t.Fatalf("delta sync should report d.ics changed and b.ics deleted only: %s", r.body)
	}
	if c1 := ctag(); c1 == c0 {
		t.Fatal("getctag did not change after writes")
	}

	// A write through JSON:API changes the ETag, ctag and sync answer.
	c1 := ctag()
	tok2 := tokenRe.FindStringSubmatch(r.body)[1]
	admin := s.SignIn(t, u.email, u.pass)
	list := s.Do(t, "GET", "/api/calendar?query="+`[{"column":"file_name","operator":"is","value":"a.ics"}]`, nil, admin)
	id := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(string(list.Body))
	if id == nil {
		t.Fatalf("a.ics over JSON:API: %s", list.Body)
	}
	up := s.Do(t, "PATCH", "/api/calendar/"+id[1], map[string]any{"data": map[string]any{"type": "calendar", "id": id[1],
		"attributes": map[string]any{"content": event("a@test", "a edited", "20261207T090000Z", "20261207T100000Z", "")}}}, admin)
	if up.Status != 200 {
		t.Fatalf("PATCH over JSON:API: %d %s", up.Status, up.Body)
	}
	if ctag() == c1 {
		t.Fatal("getctag did not change after a JSON:API write")
	}
	r = u.do(t, "REPORT", cal, nil, syncReport(tok2)).want(t, 207, "sync after JSON:API write")
	if !strings.Contains(r.body, "a.ics") {
		t.Fatalf("sync after a JSON:API write does not report a.ics: %s", r.body)
	}
	u.do(t, "REPORT", cal, nil, syncReport("http://example.com/bogus")).want(t, 403, "unknown token")
}

func testAddressBook(t *testing.T, s *testserver.Server) {
	u := newUser(t, s, "eve")
	ab := u.cardHome() + "contacts/"
	u.do(t, "MKCOL", ab, nil, mkAddressBook).want(t, 201, "MKCOL address book")
	r := u.do(t, "PROPFIND", u.cardHome(), map[string]string{"Depth": "1"},
		`<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>`).want(t, 207, "home PROPFIND")
	if !strings.Contains(r.body, "<cr:addressbook/>") {
		t.Fatalf("address book resourcetype missing: %s", r.body)
	}
	vh := map[string]string{"Content-Type": "text/vcard"}
	u.do(t, "PUT", ab+"alice.vcf", vh, card("alice", "Alice Liddell", "alice@wonder.test")).want(t, 201, "PUT alice")
	u.do(t, "PUT", ab+"bob.vcf", vh, card("bob", "Bob Builder", "bob@build.test")).want(t, 201, "PUT bob")
	u.do(t, "PUT", ab+"bad.vcf", vh, "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n").want(t, 400, "vCard without FN/UID")
	u.do(t, "PUT", ab+"bad.vcf", map[string]string{"Content-Type": "text/calendar"}, card("x", "X", "x@x.test")).want(t, 415, "wrong type")

	q := `<cr:addressbook-query xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><cr:address-data/></d:prop>
	<cr:filter><cr:prop-filter name="EMAIL"><cr:text-match collation="i;unicode-casemap" match-type="contains">wonder</cr:text-match></cr:prop-filter></cr:filter></cr:addressbook-query>`
	r = u.do(t, "REPORT", ab, map[string]string{"Depth": "1"}, q).want(t, 207, "addressbook-query")
	if got := hrefs(r.body); strings.Join(got, ",") != "alice.vcf" || !strings.Contains(r.body, "FN:Alice Liddell") {
		t.Fatalf("addressbook-query: %v %s", got, r.body)
	}
	mg := `<cr:addressbook-multiget xmlns:d="DAV:" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><cr:address-data/></d:prop>
	<d:href>` + ab + `bob.vcf</d:href></cr:addressbook-multiget>`
	r = u.do(t, "REPORT", ab, nil, mg).want(t, 207, "addressbook-multiget")
	if !strings.Contains(r.body, "FN:Bob Builder") {
		t.Fatalf("addressbook-multiget: %s", r.body)
	}
	tok := s.SignIn(t, u.email, u.pass)
	jr := s.Do(t, "GET", "/api/vcard?query="+url.QueryEscape(`[{"column":"full_name","operator":"is","value":"Bob Builder"}]`), nil, tok)
	if jr.Status != 200 || !strings.Contains(string(jr.Body), "bob@build.test") {
		t.Fatalf("vcard over JSON:API: %d %s", jr.Status, jr.Body)
	}
}
