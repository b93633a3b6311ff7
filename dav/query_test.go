package dav

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

func mustXML(t *testing.T, s string) *node {
	t.Helper()
	n, derr := parseXML([]byte(s))
	if derr != nil {
		t.Fatalf("%s: %v", s, derr)
	}
	return n
}

func TestTimeRange(t *testing.T) {
	cases := []struct {
		name   string
		xml    string
		ok     bool
		status int
		qs, qe string
	}{
		{"both", `<c:time-range xmlns:c="urn:ietf:params:xml:ns:caldav" start="20270101T000000Z" end="20270201T000000Z"/>`, true, 0, "20270101T000000Z", "20270201T000000Z"},
		{"start only", `<c:time-range xmlns:c="urn:ietf:params:xml:ns:caldav" start="20270101T000000Z"/>`, true, 0, "20270101T000000Z", ""},
		{"end only", `<c:time-range xmlns:c="urn:ietf:params:xml:ns:caldav" end="20270101T000000Z"/>`, true, 0, "", "20270101T000000Z"},
		{"neither", `<c:time-range xmlns:c="urn:ietf:params:xml:ns:caldav"/>`, false, 400, "", ""},
		{"local time", `<c:time-range xmlns:c="urn:ietf:params:xml:ns:caldav" start="20270101T000000"/>`, false, 400, "", ""},
		{"date only", `<c:time-range xmlns:c="urn:ietf:params:xml:ns:caldav" start="20270101"/>`, false, 400, "", ""},
		{"garbage end", `<c:time-range xmlns:c="urn:ietf:params:xml:ns:caldav" start="20270101T000000Z" end="soon"/>`, false, 400, "", ""},
	}
	for _, tc := range cases {
		qs, qe, ok, derr := timeRange(mustXML(t, tc.xml))
		if tc.status != 0 {
			if derr == nil || derr.status != tc.status {
				t.Errorf("%s: err %v, want %d", tc.name, derr, tc.status)
			}
			continue
		}
		if derr != nil || ok != tc.ok || fmtUTC(qs) != tc.qs || fmtUTC(qe) != tc.qe {
			t.Errorf("%s: %v %v %v %v", tc.name, qs, qe, ok, derr)
		}
	}
	if _, _, ok, derr := timeRange(nil); ok || derr != nil {
		t.Error("no time-range element must mean no range and no error")
	}
}

func fmtUTC(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("20060102T150405Z")
}

func TestRangeConditions(t *testing.T) {
	qs := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	qe := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		qs, qe time.Time
		want   []string
	}{
		{"both", qs, qe, []string{"start_at lt s", "start_at is null s", "end_at gte e", "end_at is null e"}},
		{"open start", time.Time{}, qe, []string{"start_at lt s", "start_at is null s"}},
		{"open end", qs, time.Time{}, []string{"end_at gte e", "end_at is null e"}},
		{"none", time.Time{}, time.Time{}, nil},
	}
	for _, tc := range cases {
		got := rangeConditions(tc.qs, tc.qe)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d conditions, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i, c := range got {
			if s := c.Column + " " + c.Operator + " " + c.LogicalGroup; s != tc.want[i] {
				t.Errorf("%s: condition %d is %q, want %q", tc.name, i, s, tc.want[i])
			}
		}
	}
}

// queryXML wraps a filter body in VCALENDAR.
func queryXML(inner string) string {
	return `<c:comp-filter xmlns:c="urn:ietf:params:xml:ns:caldav" name="VCALENDAR">` + inner + `</c:comp-filter>`
}

func TestMatchComp(t *testing.T) {
	meeting := cal("DTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\nSUMMARY:Team Meeting\r\nLOCATION:Room 1\r\n" +
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n")
	todo := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Buy milk\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
	cases := []struct {
		name, data, filter string
		want               bool
		status             int
	}{
		{"any event", meeting, `<c:comp-filter name="VEVENT"/>`, true, 0},
		{"no todo in an event", meeting, `<c:comp-filter name="VTODO"/>`, false, 0},
		{"todo is not an event", todo, `<c:comp-filter name="VEVENT"/>`, false, 0},
		{"todo is-not-defined event", todo, `<c:comp-filter name="VEVENT"><c:is-not-defined/></c:comp-filter>`, true, 0},
		{"event in range", meeting, `<c:comp-filter name="VEVENT"><c:time-range start="20270301T000000Z" end="20270302T000000Z"/></c:comp-filter>`, true, 0},
		{"event out of range", meeting, `<c:comp-filter name="VEVENT"><c:time-range start="20270302T000000Z" end="20270303T000000Z"/></c:comp-filter>`, false, 0},
		{"range ends at the start", meeting, `<c:comp-filter name="VEVENT"><c:time-range start="20270301T000000Z" end="20270301T090000Z"/></c:comp-filter>`, false, 0},
		{"range starts at the end", meeting, `<c:comp-filter name="VEVENT"><c:time-range start="20270301T100000Z" end="20270301T110000Z"/></c:comp-filter>`, false, 0},
		{"undated todo matches a range", todo, `<c:comp-filter name="VTODO"><c:time-range start="20270301T000000Z" end="20270302T000000Z"/></c:comp-filter>`, true, 0},
		{"summary contains", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match>meeting</c:text-match></c:prop-filter></c:comp-filter>`, true, 0},
		{"summary octet is case sensitive", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match collation="i;octet">meeting</c:text-match></c:prop-filter></c:comp-filter>`, false, 0},
		{"summary negated", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match negate-condition="yes">meeting</c:text-match></c:prop-filter></c:comp-filter>`, false, 0},
		{"lower-case prop name", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="location"><c:text-match>room</c:text-match></c:prop-filter></c:comp-filter>`, true, 0},
		{"missing prop", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="DESCRIPTION"/></c:comp-filter>`, false, 0},
		{"missing prop is-not-defined", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="DESCRIPTION"><c:is-not-defined/></c:prop-filter></c:comp-filter>`, true, 0},
		{"prop time-range", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="DTSTART"><c:time-range start="20270301T000000Z" end="20270301T093000Z"/></c:prop-filter></c:comp-filter>`, true, 0},
		{"prop time-range miss", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="DTSTART"><c:time-range start="20270301T093000Z" end="20270302T000000Z"/></c:prop-filter></c:comp-filter>`, false, 0},
		{"nested alarm", meeting, `<c:comp-filter name="VEVENT"><c:comp-filter name="VALARM"/></c:comp-filter>`, true, 0},
		{"nested alarm absent", todo, `<c:comp-filter name="VTODO"><c:comp-filter name="VALARM"/></c:comp-filter>`, false, 0},
		{"all conditions must hold", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match>team</c:text-match></c:prop-filter><c:prop-filter name="LOCATION"><c:text-match>hall</c:text-match></c:prop-filter></c:comp-filter>`, false, 0},
		{"bad range", meeting, `<c:comp-filter name="VEVENT"><c:time-range start="tomorrow"/></c:comp-filter>`, false, 400},
		{"bad prop range", meeting, `<c:comp-filter name="VEVENT"><c:prop-filter name="DTSTART"><c:time-range end="x"/></c:prop-filter></c:comp-filter>`, false, 400},
	}
	for _, tc := range cases {
		c, err := ical.NewDecoder(bytes.NewReader([]byte(tc.data))).Decode()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, derr := matchComp(c, []*ical.Component{c.Component}, mustXML(t, queryXML(tc.filter)))
		switch {
		case tc.status != 0 && (derr == nil || derr.status != tc.status):
			t.Errorf("%s: err %v, want %d", tc.name, derr, tc.status)
		case tc.status == 0 && (derr != nil || got != tc.want):
			t.Errorf("%s: match = %v (%v), want %v", tc.name, got, derr, tc.want)
		}
	}
}

func TestPlainRangeOf(t *testing.T) {
	qs := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, filter string
		on           bool
	}{
		{"event range", `<c:comp-filter name="VEVENT"><c:time-range start="20270301T000000Z"/></c:comp-filter>`, true},
		{"todo range", `<c:comp-filter name="VTODO"><c:time-range start="20270301T000000Z"/></c:comp-filter>`, true},
		{"alarm", `<c:comp-filter name="VALARM"><c:time-range start="20270301T000000Z"/></c:comp-filter>`, false},
		{"with a prop-filter", `<c:comp-filter name="VEVENT"><c:time-range start="20270301T000000Z"/><c:prop-filter name="SUMMARY"/></c:comp-filter>`, false},
		{"two comp-filters", `<c:comp-filter name="VEVENT"><c:time-range start="20270301T000000Z"/></c:comp-filter><c:comp-filter name="VTODO"/>`, false},
	}
	for _, tc := range cases {
		top := mustXML(t, queryXML(tc.filter))
		sub := top.child(nsCalDAV, "comp-filter")
		if got := plainRangeOf(top, sub, qs, time.Time{}); got.on != tc.on {
			t.Errorf("%s: on = %v, want %v", tc.name, got.on, tc.on)
		}
	}
}

// TestPlainRangeAgreesWithParsing: for every object and range, the answer
// from the extracted columns is the answer of parsing the object, and
// objects the columns cannot answer are left to parsing.
func TestPlainRangeAgreesWithParsing(t *testing.T) {
	objects := map[string]string{
		"hour":        cal("DTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\n"),
		"instant":     cal("DTSTART:20270301T090000Z\r\n"),
		"all day":     cal("DTSTART;VALUE=DATE:20270301\r\n"),
		"two days":    cal("DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270303\r\n"),
		"duration":    cal("DTSTART:20270228T230000Z\r\nDURATION:PT2H\r\n"),
		"zoned":       "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20270301T000000\r\nDTEND;TZID=Europe/Berlin:20270301T010000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"weekly":      cal("DTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE:20270308T090000Z\r\n"),
		"end < start": cal("DTSTART:20270301T090000Z\r\nDTEND:20270301T080000Z\r\n"),
	}
	var bounds []time.Time
	for d := 0; d < 20; d++ {
		bounds = append(bounds, time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC).Add(time.Duration(d)*90*time.Minute))
	}
	bounds = append(bounds, time.Date(2027, 3, 8, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 15, 9, 30, 0, 0, time.UTC))
	for name, data := range objects {
		c, info, derr := parseICal([]byte(data))
		if derr != nil {
			t.Fatalf("%s: %v", name, derr)
		}
		o := &object{content: []byte(data), recurring: info.recurring}
		if info.start != nil {
			o.start = *info.start
		}
		if info.end != nil {
			o.end = *info.end
		}
		for i, qs := range bounds {
			for _, qe := range append(bounds[i+1:], time.Time{}) {
				p := plainRange{on: true, begin: []byte("BEGIN:VEVENT"), qs: qs, qe: qe}
				want, err := inRange(c, "VEVENT", qs, qe)
				if err != nil {
					t.Fatal(err)
				}
				got, known := p.match(o)
				if known && got != want {
					t.Fatalf("%s in [%v, %v): columns say %v, parsing says %v", name, qs, qe, got, want)
				}
				if known == info.recurring {
					t.Fatalf("%s: known %v for recurring %v", name, known, info.recurring)
				}
			}
		}
	}
	// Two components, an undated one, and a query that is not plain.
	two := []byte(cal("DTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\n") + "BEGIN:VEVENT\r\n")
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		p plainRange
		o object
	}{
		"two components": {plainRange{on: true, begin: []byte("BEGIN:VEVENT")}, object{content: two, start: at, end: at.Add(time.Hour)}},
		"undated":        {plainRange{on: true, begin: []byte("BEGIN:VEVENT")}, object{content: []byte("BEGIN:VEVENT")}},
		"not plain":      {plainRange{}, object{content: []byte("BEGIN:VEVENT"), start: at, end: at}},
	} {
		if _, known := tc.p.match(&tc.o); known {
			t.Errorf("%s: answered from columns", name)
		}
	}
}

func TestOverlaps(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2027, 3, 1, h, 0, 0, 0, time.UTC) }
	var zero time.Time
	cases := []struct {
		s      time.Time
		d      time.Duration
		qs, qe time.Time
		want   bool
	}{
		{at(9), time.Hour, at(8), at(10), true},
		{at(9), time.Hour, at(10), at(11), false}, // ends when the range starts
		{at(9), time.Hour, at(7), at(9), false},   // starts when the range ends
		{at(9), time.Hour, at(9), at(9).Add(time.Minute), true},
		{at(9), 0, at(9), at(10), true}, // an instant at the start is inside
		{at(9), 0, at(8), at(9), false}, // an instant at the end is outside
		{at(9), time.Hour, zero, at(10), true},
		{at(9), time.Hour, at(9).Add(30 * time.Minute), zero, true},
		{at(9), time.Hour, at(11), zero, false},
		{at(9), time.Hour, zero, at(8), false},
		{at(9), 0, zero, zero, true},
	}
	for i, tc := range cases {
		if got := overlaps(tc.s, tc.d, tc.qs, tc.qe); got != tc.want {
			t.Errorf("case %d: overlaps(%v, %v, %v, %v) = %v", i, tc.s, tc.d, tc.qs, tc.qe, got)
		}
	}
}

func TestTextMatch(t *testing.T) {
	cases := []struct {
		value, xml string
		want       bool
	}{
		{"Team Meeting", `<c:text-match xmlns:c="urn:ietf:params:xml:ns:caldav">MEETING</c:text-match>`, true},
		{"Team Meeting", `<c:text-match xmlns:c="urn:ietf:params:xml:ns:caldav"> team </c:text-match>`, true},
		{"Team Meeting", `<c:text-match xmlns:c="urn:ietf:params:xml:ns:caldav" collation="i;octet">team</c:text-match>`, false},
		{"Team Meeting", `<c:text-match xmlns:c="urn:ietf:params:xml:ns:caldav" collation="i;octet">Team</c:text-match>`, true},
		{"Team Meeting", `<c:text-match xmlns:c="urn:ietf:params:xml:ns:caldav" negate-condition="yes">lunch</c:text-match>`, true},
		{"Team Meeting", `<c:text-match xmlns:c="urn:ietf:params:xml:ns:caldav" negate-condition="yes">team</c:text-match>`, false},
		{"", `<c:text-match xmlns:c="urn:ietf:params:xml:ns:caldav"></c:text-match>`, true},
	}
	for _, tc := range cases {
		if got := textMatch(tc.value, mustXML(t, tc.xml)); got != tc.want {
			t.Errorf("textMatch(%q, %s) = %v", tc.value, tc.xml, got)
		}
	}
}

func TestParseICalRecurringSpan(t *testing.T) {
	_, info, _ := parseICal([]byte(cal("DTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n")))
	got := fmt.Sprintf("%s %v %s %s", info.comp, info.recurring, info.start.Format(time.RFC3339), info.end.Format(time.RFC3339))
	if got != "VEVENT true 2027-03-01T09:00:00Z 2027-03-03T10:00:00Z" {
		t.Fatal(got)
	}
}
