package schema

import (
	"strings"
	"testing"
	"time"
)

func TestParseDateTimeLayouts(t *testing.T) {
	t.Parallel()
	day := time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)
	at := time.Date(2024, 3, 9, 14, 5, 6, 0, time.UTC)
	scenarios := []struct {
		in   string
		want time.Time
	}{
		{"2024-03-09", day},
		{" 2024-03-09 ", day},
		{"2024-03-09 14:05:06", at},
		{"2024-03-09T14:05:06Z", at},
		{"2024-03-09T16:05:06+02:00", at},
		{"2024-03-09T14:05:06.5Z", at.Add(500 * time.Millisecond)},
		{"2024-03-09T14:05:06", at},
		{"2024-03-09T14:05", at.Add(-6 * time.Second)},
		{"2024-03-09 14:05:06.25", at.Add(250 * time.Millisecond)},
		{"2024-03-09 14:05", at.Add(-6 * time.Second)},
		{"2024-03-09 15:05:06+01:00", at},
		{"2024/03/09 14:05:06", at},
		{"2024/03/09", day},
		{"03/09/2024", day}, // month/day/year, as Daptin reads it
		{"03/09/2024 14:05:06", at},
		{"Mar 9, 2024", day},
		{"March 9, 2024", day},
		{"Mar 9 2024", day},
		{"9 Mar 2024", day},
		{"9 March 2024", day},
		{"Sat, 09 Mar 2024 14:05:06 +0000", at},
		{"Sat Mar  9 14:05:06 2024", at},
	}
	for _, s := range scenarios {
		t.Run(s.in, func(t *testing.T) {
			got, err := parseDateTime(s.in)
			if err != nil || !got.Equal(s.want) {
				t.Fatalf("parseDateTime = %v, %v; want %v", got, err, s.want)
			}
		})
	}
}

func TestQuickDateTimeAgreesWithTimeParse(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2024-02-29", "2023-12-31 23:59:59", "2000-01-01 00:00:00", "1999-06-15"} {
		quick, ok := quickDateTime(s)
		if !ok {
			t.Fatalf("quickDateTime(%q) refused a common form", s)
		}
		layout := time.DateOnly
		if len(s) == 19 {
			layout = time.DateTime
		}
		slow, err := time.Parse(layout, s)
		if err != nil || !quick.Equal(slow) {
			t.Errorf("quickDateTime(%q) = %v, time.Parse = %v", s, quick, slow)
		}
	}
	for _, s := range []string{"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024-01-01 24:00:00", "2024-01-01 23:60:00",
		"2024-01-01T00:00:00", "2024-1-01", "20240101", "2024-01-01 00:00:0x"} {
		if got, ok := quickDateTime(s); ok {
			t.Errorf("quickDateTime(%q) = %v, want it left to the slow path", s, got)
		}
	}
}

func TestParseDateTimeRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "tomorrow", "2023-02-29", "2024-13-01", "32/01/2024", "2024-03-09T25:00:00Z", "9999-99-99"} {
		if got, err := parseDateTime(s); err == nil || !strings.Contains(err.Error(), "is not a date") {
			t.Errorf("parseDateTime(%q) = %v, %v; want an error", s, got, err)
		}
	}
}

func TestParseClock(t *testing.T) {
	t.Parallel()
	scenarios := map[string]string{
		"14:05":                "14:05:00",
		"14:05:06":             "14:05:06",
		"14:05:06.789":         "14:05:06",
		"2:05 pm":              "14:05:00",
		"2:05:06 PM":           "14:05:06",
		"2:05PM":               "14:05:00",
		"12AM":                 "00:00:00",
		"2024-03-09 14:05:06":  "14:05:06",
		"2024-03-09T14:05:06Z": "14:05:06",
	}
	for in, want := range scenarios {
		if got, err := parseClock(in); err != nil || got != want {
			t.Errorf("parseClock(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "25:00", "noon", "14h05"} {
		if got, err := parseClock(bad); err == nil {
			t.Errorf("parseClock(%q) = %q, want an error", bad, got)
		}
	}
}

func TestDaysIn(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		m    time.Month
		y    int
		want int
	}{
		{time.January, 2023, 31}, {time.April, 2023, 30}, {time.February, 2023, 28},
		{time.February, 2024, 29}, {time.February, 1900, 28}, {time.February, 2000, 29}, {time.December, 2024, 31},
	}
	for _, s := range scenarios {
		if got := daysIn(s.m, s.y); got != s.want {
			t.Errorf("daysIn(%v %d) = %d, want %d", s.m, s.y, got, s.want)
		}
	}
}

func TestValidIdentifierAndNames(t *testing.T) {
	t.Parallel()
	good := []string{"a", "_x", "todo", "user_account_id", "t2", strings.Repeat("a", 64)}
	bad := []string{"", "2t", "Todo", "to-do", "to do", "tô", "a;b", strings.Repeat("a", 65)}
	for _, s := range good {
		if !ValidIdentifier(s) {
			t.Errorf("ValidIdentifier(%q) = false", s)
		}
	}
	for _, s := range bad {
		if ValidIdentifier(s) {
			t.Errorf("ValidIdentifier(%q) = true", s)
		}
	}
	jt := JoinTableName("todo", "todo_id", "usergroup", "usergroup_id")
	if jt != "todo_todo_id_has_usergroup_usergroup_id" || !IsJoinTableName(jt) || IsJoinTableName("todo") {
		t.Errorf("join table name %q", jt)
	}
	if !IsAuditTableName("todo_audit") || IsAuditTableName("audit_log") {
		t.Error("audit table names misread")
	}
}
