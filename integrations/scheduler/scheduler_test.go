package scheduler

import (
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
)

func TestParseSchedule(t *testing.T) {
	from := time.Date(2026, 1, 1, 10, 0, 30, 0, time.UTC)
	tests := []struct {
		spec string
		next time.Time
		bad  bool
	}{
		{spec: "*/5 * * * *", next: time.Date(2026, 1, 1, 10, 5, 0, 0, time.UTC)},
		{spec: "@hourly", next: time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)},
		{spec: "@daily", next: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{spec: "@every 90s", next: from.Add(90 * time.Second)},
		{spec: "* * * * * *", bad: true}, // six fields: seconds are not accepted
		{spec: "every minute", bad: true},
		{spec: "", bad: true},
	}
	for _, tc := range tests {
		s, err := ParseSchedule(tc.spec)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: accepted", tc.spec)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tc.next) {
			t.Errorf("%q: next %v, want %v", tc.spec, got, tc.next)
		}
	}
}

func TestJobSignature(t *testing.T) {
	base := map[string]any{"name": "a", "schedule": "@hourly", "action_name": "x", "entity_name": "y", "active": true,
		"attributes": `{"k":1}`}
	row := func(change map[string]any) resource.Row {
		attrs := map[string]any{}
		for k, v := range base {
			attrs[k] = v
		}
		for k, v := range change {
			attrs[k] = v
		}
		return resource.Row{RefID: "r", Attrs: attrs}
	}
	j := jobOf(row(nil))
	if !j.Active || j.Attrs["k"] != float64(1) {
		t.Fatalf("job = %+v", j)
	}
	tests := []struct {
		change map[string]any
		same   bool
	}{
		{change: map[string]any{"last_run": "2026-01-01T00:00:00Z", "last_error": "boom"}, same: true},
		{change: map[string]any{"active": false}},
		{change: map[string]any{"active": int64(0)}},
		{change: map[string]any{"schedule": "@daily"}},
		{change: map[string]any{"attributes": `{"k":2}`}},
		{change: map[string]any{"as_user_id": "u1"}},
	}
	for _, tc := range tests {
		if got := jobOf(row(tc.change)).sig == j.sig; got != tc.same {
			t.Errorf("%v: same signature = %v, want %v", tc.change, got, tc.same)
		}
	}
}
