package schema

import (
	"fmt"
	"strings"
	"time"
)

// dateLayouts are the string forms parseDateTime accepts. Values without a
// zone are UTC; "01/02/2006" is month/day/year (as Daptin's parser reads it).
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"01/02/2006 15:04:05",
	"01/02/2006",
	"Jan 2, 2006",
	"January 2, 2006",
	"Jan 2 2006",
	"2 Jan 2006",
	"2 January 2006",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	time.ANSIC,
}

// parseDateTime reads a date or date-time in one of dateLayouts. An
// unparseable string is an error, never the zero time.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	// Imports parse millions of dates: read the two commonest forms by
	// hand, then try the layout the shape suggests, and only then every
	// layout (each failed Parse allocates).
	if t, ok := quickDateTime(s); ok {
		return t, nil
	}
	if l := likelyLayout(s); l != "" {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}

// likelyLayout guesses the layout of the common ISO-like forms.
func likelyLayout(s string) string {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return ""
	}
	switch {
	case len(s) == 10:
		return time.DateOnly
	case s[10] == 'T':
		return time.RFC3339Nano
	case s[10] == ' ':
		return "2006-01-02 15:04:05.999999999"
	}
	return ""
}

var clockLayouts = []string{"15:04:05.999999999", "15:04", "3:04:05 PM", "3:04 PM", "3:04PM", "3PM"}

// parseClock reads a time of day (or a full date-time) as "15:04:05".
func parseClock(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range clockLayouts {
		if t, err := time.Parse(layout, strings.ToUpper(s)); err == nil {
			return t.Format(time.TimeOnly), nil
		}
	}
	if t, err := parseDateTime(s); err == nil {
		return t.Format(time.TimeOnly), nil
	}
	return "", fmt.Errorf("%q is not a time of day", s)
}

// digitsAt reads the n ASCII digits at s[i:i+n]; ok is false when any is
// not a digit.
func digitsAt(s string, i, n int) (v int, ok bool) {
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// quickDateTime reads the two most common import forms, "2006-01-02" and
// "2006-01-02 15:04:05" (UTC), without time.Parse. ok is false for
// anything else, including out-of-range fields, which the caller then
// parses the slow way (so errors read the same).
func quickDateTime(s string) (time.Time, bool) {
	if (len(s) != 10 && len(s) != 19) || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digitsAt(s, 0, 4)
	mo, ok2 := digitsAt(s, 5, 2)
	d, ok3 := digitsAt(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), true
	}
	if s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	h, ok1 := digitsAt(s, 11, 2)
	mi, ok2 := digitsAt(s, 14, 2)
	sec, ok3 := digitsAt(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), true
}

// daysIn is the number of days of month m in year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
