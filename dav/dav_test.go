package dav

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParsePath(t *testing.T) {
	cases := []struct {
		path   string
		kind   kind
		status int // 0 = ok
		coll   string
		file   string
	}{
		{"/caldav", kindRoot, 0, "", ""},
		{"/caldav/", kindRoot, 0, "", ""},
		{"/caldav/users/", kindRoot, 0, "", ""},
		{"/caldav/users/u1/", kindPrincipal, 0, "", ""},
		{"/caldav/users/u1/calendars/", kindHome, 0, "", ""},
		{"/caldav/users/u1/calendars/work/", kindCollection, 0, "work", ""},
		{"/caldav/users/u1/calendars/work/a%20b.ics", kindObject, 0, "work", "a b.ics"},
		{"/caldav/users/u1/calendars/work/x/y", kindObject, 0, "work/x", "y"},
		{"/caldav/users/u1/calendars/work/x/", kindCollection, 0, "work/x", ""},
		{"/caldav/users/u1/calendars/a/b/c/d/e/f/g/h/i/", 0, 404, "", ""},
		{"/caldav/users//calendars/work/", kindCollection, 0, "work", ""},
		{"/caldav/users/u1/other/", 0, 404, "", ""},
		{"/caldav/groups/", 0, 404, "", ""},
		{"/caldav/users/u1/calendars/../x", 0, 400, "", ""},
		{"/caldav/users/u1/calendars/a%2Fb/", 0, 400, "", ""},
		{"/caldav/users/u1/calendars/a%5Cb/", 0, 400, "", ""},
		{"/caldav/users/u1/calendars/a%00b/", 0, 400, "", ""},
		{"/caldav/users/u1/calendars/a%0Ab/", 0, 400, "", ""},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		got, derr := parsePath("/caldav", u)
		switch {
		case tc.status != 0 && (derr == nil || derr.status != tc.status):
			t.Errorf("%s: err %v, want status %d", tc.path, derr, tc.status)
		case tc.status == 0 && derr != nil:
			t.Errorf("%s: unexpected error %v", tc.path, derr)
		case tc.status == 0 && (got.kind != tc.kind || got.coll != tc.coll || got.file != tc.file):
			t.Errorf("%s: got %+v", tc.path, got)
		}
	}
}

func TestParseXML(t *testing.T) {
	cases := []struct {
		name, body string
		ok         bool
	}{
		{"propfind", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`, true},
		{"doctype", `<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`, false},
		{"undefined entity", `<x>&a;</x>`, false},
		{"unclosed", `<x><y></x>`, false},
		{"two roots", `<x/><y/>`, false},
		{"empty namespace prefix", `<x xmlns:bad=""/>`, false},
		{"too deep", strings.Repeat("<a>", maxXMLDepth+1) + strings.Repeat("</a>", maxXMLDepth+1), false},
		{"text only", `hello`, false},
	}
	for _, tc := range cases {
		n, derr := parseXML([]byte(tc.body))
		if (derr == nil) != tc.ok || (tc.ok && n == nil) {
			t.Errorf("%s: node %v err %v, want ok=%v", tc.name, n, derr, tc.ok)
		}
	}
}

func cal(extra string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\n" + extra + "END:VEVENT\r\nEND:VCALENDAR\r\n"
}

func TestParseICalAndRanges(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse("20060102", s); return t }
	weekly := cal("DTSTART:20261207T090000Z\r\nDTEND:20261207T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20261214T090000Z,20261221T090000Z\r\n")
	cases := []struct {
		name, data string
		from, to   string
		in         bool
		openEnd    bool
	}{
		{"single inside", cal("DTSTART:20261207T090000Z\r\nDTEND:20261207T100000Z\r\n"), "20261207", "20261208", true, false},
		{"single before", cal("DTSTART:20261207T090000Z\r\nDTEND:20261207T100000Z\r\n"), "20261208", "20261209", false, false},
		{"duration", cal("DTSTART:20261207T230000Z\r\nDURATION:PT2H\r\n"), "20261208", "20261209", true, false},
		{"all day", cal("DTSTART;VALUE=DATE:20261224\r\n"), "20261224", "20261225", true, false},
		{"weekly first", weekly, "20261207", "20261208", true, false},
		{"weekly exdate list 1", weekly, "20261214", "20261215", false, false},
		{"weekly exdate list 2", weekly, "20261221", "20261222", false, false},
		{"weekly last", weekly, "20261228", "20261229", true, false},
		{"weekly after count", weekly, "20270104", "20270105", false, false},
		{"daily forever", cal("DTSTART:20260101T120000Z\r\nDTEND:20260101T130000Z\r\nRRULE:FREQ=DAILY\r\n"), "20290606", "20290607", true, true},
		{"until", cal("DTSTART:20260101T120000Z\r\nDTEND:20260101T130000Z\r\nRRULE:FREQ=DAILY;UNTIL=20260105T120000Z\r\n"), "20260106", "20260107", false, false},
	}
	for _, tc := range cases {
		c, info, derr := parseICal([]byte(tc.data))
		if derr != nil {
			t.Fatalf("%s: %v", tc.name, derr)
		}
		if info.uid != "u" || info.comp != "VEVENT" || info.start == nil || (info.end == nil) != tc.openEnd {
			t.Errorf("%s: info %+v", tc.name, info)
		}
		in, err := inRange(c, "VEVENT", day(tc.from), day(tc.to))
		if err != nil || in != tc.in {
			t.Errorf("%s: inRange = %v, %v; want %v", tc.name, in, err, tc.in)
		}
		if in && !tc.openEnd && info.end.Before(day(tc.from)) {
			t.Errorf("%s: extracted end %v is before a matching range", tc.name, info.end)
		}
	}
}

func TestParseICalInvalid(t *testing.T) {
	for name, data := range map[string]string{
		"garbage":        "hello",
		"no uid":         strings.Replace(cal("DTSTART:20261207T090000Z\r\n"), "UID:u\r\n", "", 1),
		"method":         strings.Replace(cal("DTSTART:20261207T090000Z\r\n"), "PRODID:x\r\n", "PRODID:x\r\nMETHOD:REQUEST\r\n", 1),
		"no component":   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n",
		"bad rrule":      cal("DTSTART:20261207T090000Z\r\nRRULE:FREQ=SOMETIMES\r\n"),
		"two uids":       strings.Replace(cal("DTSTART:20261207T090000Z\r\n"), "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:v\r\nDTSTART:20261207T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR", 1),
		"bad date value": cal("DTSTART:yesterday\r\n"),
	} {
		if _, _, derr := parseICal([]byte(data)); derr == nil || derr.status != 400 {
			t.Errorf("%s: err %v, want 400", name, derr)
		}
	}
}

func TestParseVCard(t *testing.T) {
	ok := "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:x\r\nFN:Ann\r\nEMAIL:a@x.test\r\nEMAIL:b@x.test\r\nEND:VCARD\r\n"
	_, info, derr := parseVCard([]byte(ok))
	if derr != nil || info.uid != "x" || info.fullName != "Ann" || info.emails != "a@x.test,b@x.test" {
		t.Fatalf("valid card: %+v %v", info, derr)
	}
	for name, data := range map[string]string{
		"garbage":    "hello",
		"no version": "BEGIN:VCARD\r\nUID:x\r\nFN:Ann\r\nEND:VCARD\r\n",
		"no uid":     "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\n",
		"no fn":      "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nEND:VCARD\r\n",
		"two cards":  ok + ok,
	} {
		if _, _, derr := parseVCard([]byte(data)); derr == nil || derr.status != 400 {
			t.Errorf("%s: err %v, want 400", name, derr)
		}
	}
}

func TestETagMatchesAndTokens(t *testing.T) {
	o := &object{content: []byte("x")}
	tag := o.etag()
	cases := []struct {
		list string
		want bool
	}{
		{tag, true}, {"*", true}, {`"other"`, false}, {`"a", ` + tag, true}, {"W/" + tag, true},
	}
	for _, tc := range cases {
		if got := etagMatches(tc.list, o); got != tc.want {
			t.Errorf("etagMatches(%q) = %v", tc.list, got)
		}
	}
	if etagMatches("*", nil) {
		t.Error("* matched a missing object")
	}
	st := syncState{at: time.UnixMicro(1234567), count: 3}
	at, ok := parseToken(st.token())
	if !ok || !at.Equal(st.at) {
		t.Errorf("token round trip: %v %v", at, ok)
	}
	for _, bad := range []string{"", "http://example.com/sync/1-2", "http://apiary.invalid/sync/x"} {
		if _, ok := parseToken(bad); ok {
			t.Errorf("parseToken(%q) accepted", bad)
		}
	}
}

func TestDeadPropsRoundTrip(t *testing.T) {
	n, derr := parseXML([]byte(`<x:p xmlns:x="http://example.com/ns">a &amp; b<y:q xmlns:y="urn:y">z</y:q></x:p>`))
	if derr != nil {
		t.Fatal(derr)
	}
	inner := innerXML(n)
	if inner != `a &amp; b<x:q xmlns:x="urn:y">z</x:q>` {
		t.Fatalf("innerXML = %s", inner)
	}
	ps := deadProps(`{"{http://example.com/ns}p":"v","{}bare":"w"}`)
	if ps[xmlName("http://example.com/ns", "p")] != "v" || ps[xmlName("", "bare")] != "w" {
		t.Fatalf("deadProps = %v", ps)
	}
	if deadProps("not json") != nil || deadProps("") != nil {
		t.Fatal("bad dead_props must decode to nothing")
	}
	if k := propKey(xmlName("urn:a", "b")); keyName(k) != xmlName("urn:a", "b") {
		t.Fatalf("key round trip %q", k)
	}
}

func TestEscMatchesEncodingXML(t *testing.T) {
	for _, s := range []string{"", "plain", "a & b < c > d \"e\" 'f'", "BEGIN:VCALENDAR\r\nX:1\r\n\tfold", "ünïcödé ✓", "bad \x01 ctrl", "bad \xff utf8", "\ufffe"} {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		if got := esc(s); got != b.String() {
			t.Errorf("esc(%q) = %q, want %q", s, got, b.String())
		}
	}
}
