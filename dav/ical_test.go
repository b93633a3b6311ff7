package dav

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

func firstComp(t *testing.T, data string) (*ical.Calendar, *ical.Component) {
	t.Helper()
	c, err := ical.NewDecoder(bytes.NewReader([]byte(data))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range c.Children {
		if ch.Name == "VEVENT" || ch.Name == "VTODO" {
			return c, ch
		}
	}
	t.Fatal("no component")
	return nil, nil
}

func TestStartAndDuration(t *testing.T) {
	todo := func(props string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20260101T000000Z\r\n" + props + "END:VTODO\r\nEND:VCALENDAR\r\n"
	}
	cases := []struct {
		name  string
		data  string
		start string
		d     time.Duration
		err   bool
	}{
		{"dtend", cal("DTSTART:20270101T090000Z\r\nDTEND:20270101T103000Z\r\n"), "20270101T090000Z", 90 * time.Minute, false},
		{"duration", cal("DTSTART:20270101T090000Z\r\nDURATION:PT45M\r\n"), "20270101T090000Z", 45 * time.Minute, false},
		{"duration days", cal("DTSTART:20270101T090000Z\r\nDURATION:P2D\r\n"), "20270101T090000Z", 48 * time.Hour, false},
		{"date", cal("DTSTART;VALUE=DATE:20270101\r\n"), "20270101T000000Z", 24 * time.Hour, false},
		{"instant", cal("DTSTART:20270101T090000Z\r\n"), "20270101T090000Z", 0, false},
		{"end before start", cal("DTSTART:20270101T090000Z\r\nDTEND:20270101T080000Z\r\n"), "20270101T090000Z", 0, false},
		{"zoned", cal("DTSTART;TZID=America/New_York:20270101T090000\r\nDTEND;TZID=America/New_York:20270101T100000\r\n"), "20270101T140000Z", time.Hour, false},
		{"todo due only", todo("DUE:20270105T120000Z\r\n"), "20270105T120000Z", 0, false},
		{"todo undated", todo(""), "", 0, false},
		{"bad end", cal("DTSTART:20270101T090000Z\r\nDTEND:later\r\n"), "", 0, true},
		{"bad duration", cal("DTSTART:20270101T090000Z\r\nDURATION:long\r\n"), "", 0, true},
	}
	for _, tc := range cases {
		_, c := firstComp(t, tc.data)
		s, d, err := startAndDuration(c)
		if (err != nil) != tc.err {
			t.Errorf("%s: err %v", tc.name, err)
			continue
		}
		if !tc.err && (fmtUTC(s) != tc.start || d != tc.d) {
			t.Errorf("%s: %s %v, want %s %v", tc.name, fmtUTC(s), d, tc.start, tc.d)
		}
	}
}

func TestComponentSpan(t *testing.T) {
	cases := []struct {
		name       string
		props      string
		start, end string // end "" = open
		recurring  bool
	}{
		{"single", "DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\n", "20270101T090000Z", "20270101T100000Z", false},
		{"count", "DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n", "20270101T090000Z", "20270103T100000Z", true},
		{"until", "DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20270122T090000Z\r\n", "20270101T090000Z", "20270122T100000Z", true},
		{"forever", "DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nRRULE:FREQ=YEARLY\r\n", "20270101T090000Z", "", true},
		{"rdate list", "DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nRDATE:20270110T090000Z,20270120T090000Z\r\n", "20270101T090000Z", "20270120T100000Z", true},
		{"last excluded", "DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20270103T090000Z\r\n", "20270101T090000Z", "20270102T100000Z", true},
	}
	for _, tc := range cases {
		_, c := firstComp(t, cal(tc.props))
		s, e, rec, err := componentSpan(c)
		if err != nil || fmtUTC(s) != tc.start || fmtUTC(e) != tc.end || rec != tc.recurring {
			t.Errorf("%s: %s %s %v %v", tc.name, fmtUTC(s), fmtUTC(e), rec, err)
		}
	}
}

// TestEachInstance: instances come in order, inside the range, skipping
// EXDATEs and instances an override replaces.
func TestEachInstance(t *testing.T) {
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" +
		"BEGIN:VEVENT\r\nUID:r\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270104T090000Z\r\nDTEND:20270104T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\nEXDATE:20270111T090000Z\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:r\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20270118T090000Z\r\nDTSTART:20270119T150000Z\r\nDTEND:20270119T160000Z\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	c, err := ical.NewDecoder(strings.NewReader(data)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	over := overriddenInstances(c, "VEVENT")
	if len(over) != 1 || !over[time.Date(2027, 1, 18, 9, 0, 0, 0, time.UTC).Unix()] {
		t.Fatalf("overrides: %v", over)
	}
	day := func(d int) time.Time { return time.Date(2027, 1, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name   string
		qs, qe time.Time
		want   string
	}{
		{"January", day(1), day(31), "20270104T090000Z 20270125T090000Z|20270119T150000Z"},
		{"to February", day(1), time.Date(2027, 2, 2, 0, 0, 0, 0, time.UTC), "20270104T090000Z 20270125T090000Z 20270201T090000Z|20270119T150000Z"},
		{"third week", day(17), day(20), "|20270119T150000Z"},
		{"excluded week", day(10), day(13), "|"},
		{"open end", day(24), time.Time{}, "20270125T090000Z 20270201T090000Z|"},
	}
	for _, tc := range cases {
		var parts [2][]string
		for i, comp := range c.Children {
			err := eachInstance(comp, over, tc.qs, tc.qe, func(s time.Time, d time.Duration) bool {
				if d != time.Hour {
					t.Errorf("%s: duration %v", tc.name, d)
				}
				parts[i] = append(parts[i], fmtUTC(s))
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := strings.Join(parts[0], " ") + "|" + strings.Join(parts[1], " "); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		in, err := inRange(c, "VEVENT", tc.qs, tc.qe)
		if err != nil || in != (tc.want != "|") {
			t.Errorf("%s: inRange %v %v", tc.name, in, err)
		}
	}
	// fn returning false stops the walk.
	n := 0
	_ = eachInstance(c.Children[0], over, day(1), day(31), func(time.Time, time.Duration) bool { n++; return false })
	if n != 1 {
		t.Errorf("the walk went on after false: %d", n)
	}
}

func TestDateList(t *testing.T) {
	cases := []struct {
		value string
		want  []string
		err   bool
	}{
		{"20270101T090000Z", []string{"20270101T090000Z"}, false},
		{"20270101T090000Z,20270102T090000Z", []string{"20270101T090000Z", "20270102T090000Z"}, false},
		{"20270101T090000Z, 20270103T090000Z", []string{"20270101T090000Z", "20270103T090000Z"}, false},
		{"20270101T090000Z,nope", nil, true},
	}
	for _, tc := range cases {
		p := ical.NewProp(ical.PropExceptionDates)
		p.Value = tc.value
		ts, err := dateList(*p)
		if (err != nil) != tc.err {
			t.Errorf("%s: %v", tc.value, err)
			continue
		}
		var got []string
		for _, x := range ts {
			got = append(got, fmtUTC(x))
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v", tc.value, got)
		}
	}
}

func TestParseICalInfo(t *testing.T) {
	long := strings.Repeat("s", 1200)
	cases := []struct {
		name, data     string
		comp, summary  string
		start, end     string
		recurring      bool
		validityStatus int
	}{
		{"event", cal("DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nSUMMARY:Hi\r\n"), "VEVENT", "Hi", "20270101T090000Z", "20270101T100000Z", false, 0},
		{"long summary is cut", cal("DTSTART:20270101T090000Z\r\nSUMMARY:" + long + "\r\n"), "VEVENT", long[:1000], "20270101T090000Z", "20270101T090000Z", false, 0},
		{"undated todo", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20260101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "VTODO", "", "", "", false, 0},
		{"override widens the span", cal("DTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\n") +
			"", "VEVENT", "", "20270101T090000Z", "20270102T100000Z", true, 0},
		{"two component types", strings.Replace(cal("DTSTART:20270101T090000Z\r\n"), "END:VCALENDAR", "BEGIN:VTODO\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR", 1), "", "", "", "", false, 400},
	}
	for _, tc := range cases {
		_, info, derr := parseICal([]byte(tc.data))
		if tc.validityStatus != 0 {
			if derr == nil || derr.status != tc.validityStatus || derr.cond != "<c:valid-calendar-data/>" {
				t.Errorf("%s: %v", tc.name, derr)
			}
			continue
		}
		var s, e string
		if info.start != nil {
			s = fmtUTC(*info.start)
		}
		if info.end != nil {
			e = fmtUTC(*info.end)
		}
		if derr != nil || info.comp != tc.comp || info.summary != tc.summary || s != tc.start || e != tc.end || info.recurring != tc.recurring {
			t.Errorf("%s: %+v %s %s %v", tc.name, info, s, e, derr)
		}
	}
}

func TestHrefs(t *testing.T) {
	cases := []struct{ got, want string }{
		{principalHref("/caldav", "u1"), "/caldav/users/u1/"},
		{homeHref("/carddav", "u1"), "/carddav/users/u1/calendars/"},
		{collectionHref("/caldav", "u1", "my cal"), "/caldav/users/u1/calendars/my%20cal/"},
		{objectHref("/caldav", "u1", "work", "a?b#c.ics"), "/caldav/users/u1/calendars/work/a%3Fb%23c.ics"},
		{objectHref("/caldav", "u1", "work", "ü.ics"), "/caldav/users/u1/calendars/work/%C3%BC.ics"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s, want %s", tc.got, tc.want)
		}
		// Every href parses back to the names it was built from.
		u, err := url.Parse(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		pt, derr := parsePath("/"+strings.SplitN(tc.want[1:], "/", 2)[0], u)
		if derr != nil || pt.user != "u1" {
			t.Errorf("%s does not parse: %+v %v", tc.want, pt, derr)
		}
		if pt.kind == kindObject && !strings.HasSuffix(tc.want, url.PathEscape(pt.file)) {
			t.Errorf("%s: file %q", tc.want, pt.file)
		}
	}
	for s, want := range map[string]bool{"abc": false, "a\tb": true, "a\x7fb": true, "ünï": false, "": false} {
		if hasControl(s) != want {
			t.Errorf("hasControl(%q) != %v", s, want)
		}
	}
	long := strings.Repeat("a", 256)
	u, _ := url.Parse("/caldav/users/u1/calendars/work/" + long)
	if _, derr := parsePath("/caldav", u); derr == nil || derr.status != 400 {
		t.Errorf("a 256-byte file name: %v", derr)
	}
}
