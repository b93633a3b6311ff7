package dav

import (
	"bytes"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"
	"github.com/teambition/rrule-go"
)

// maxInstances bounds how many occurrences of one recurring component are
// walked for a time-range test or to find its last instance.
const maxInstances = 20000

// calInfo is what is extracted from an iCalendar object into searchable
// columns.
type calInfo struct {
	comp, uid, summary string
	start, end         *time.Time // span of every instance; end nil = never ends
	recurring          bool
}

// parseICal decodes and validates one calendar object resource (RFC 4791
// §4.1): one component type, one UID, no METHOD.
func parseICal(data []byte) (*ical.Calendar, calInfo, *davError) {
	var info calInfo
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, info, validityError("invalid iCalendar data: " + err.Error())
	}
	compType, uid, err := caldav.ValidateCalendarObject(cal)
	if err != nil {
		return nil, info, validityError("invalid calendar object: " + err.Error())
	}
	if compType == "" {
		return nil, info, validityError("invalid calendar object: no VEVENT, VTODO or VJOURNAL component")
	}
	if uid == "" {
		return nil, info, validityError("invalid calendar object: the component has no UID")
	}
	info.comp, info.uid = compType, uid
	open := false
	for _, c := range cal.Children {
		if c.Name != compType {
			continue
		}
		if info.summary == "" {
			info.summary, _ = c.Props.Text(ical.PropSummary)
		}
		s, e, rec, err := componentSpan(c)
		if err != nil {
			return nil, info, validityError("invalid calendar object: " + err.Error())
		}
		info.recurring = info.recurring || rec
		if s.IsZero() {
			continue
		}
		if info.start == nil || s.Before(*info.start) {
			info.start = &s
		}
		if e.IsZero() {
			open = true
		} else if info.end == nil || e.After(*info.end) {
			info.end = &e
		}
	}
	if open {
		info.end = nil
	}
	if len(info.summary) > 1000 {
		info.summary = info.summary[:1000]
	}
	return cal, info, nil
}

func validityError(msg string) *davError {
	return &davError{status: 400, msg: msg, cond: "<c:valid-calendar-data/>"}
}

// componentSpan is the first start and last end of a component's
// instances; a zero end means the recurrence never ends.
func componentSpan(c *ical.Component) (start, end time.Time, recurring bool, err error) {
	s, d, err := startAndDuration(c)
	if err != nil || s.IsZero() {
		return s, s, false, err
	}
	set, err := recurrence(c, s)
	if err != nil {
		return s, s, false, err
	}
	if set == nil {
		return s, s.Add(d), false, nil
	}
	r := set.GetRRule()
	if r != nil && r.OrigOptions.Count == 0 && r.OrigOptions.Until.IsZero() {
		return s, time.Time{}, true, nil
	}
	next := set.Iterator()
	last := s
	for i := 0; i < maxInstances; i++ {
		t, ok := next()
		if !ok {
			return s, last.Add(d), true, nil
		}
		last = t
	}
	return s, time.Time{}, true, nil
}

// startAndDuration reads DTSTART and the length of each instance (DTEND,
// DURATION, a whole day for dates, DUE for to-dos).
func startAndDuration(c *ical.Component) (time.Time, time.Duration, error) {
	sp := c.Props.Get(ical.PropDateTimeStart)
	if sp == nil {
		if due := c.Props.Get(ical.PropDue); due != nil {
			t, err := due.DateTime(time.UTC)
			return t, 0, err
		}
		return time.Time{}, 0, nil
	}
	s, err := sp.DateTime(time.UTC)
	if err != nil {
		return s, 0, err
	}
	if ep := c.Props.Get(ical.PropDateTimeEnd); ep != nil {
		e, err := ep.DateTime(time.UTC)
		if err != nil {
			return s, 0, err
		}
		if e.Before(s) {
			e = s
		}
		return s, e.Sub(s), nil
	}
	if dp := c.Props.Get(ical.PropDuration); dp != nil {
		d, err := dp.Duration()
		return s, d, err
	}
	if sp.ValueType() == ical.ValueDate || len(sp.Value) == 8 {
		return s, 24 * time.Hour, nil
	}
	return s, 0, nil
}

// recurrence builds the RRULE/RDATE/EXDATE set of c, or nil when c does
// not recur. Comma-separated date lists are split (go-ical reads one).
func recurrence(c *ical.Component, start time.Time) (*rrule.Set, error) {
	opt, err := c.Props.RecurrenceRule()
	if err != nil {
		return nil, err
	}
	rdates := c.Props.Values(ical.PropRecurrenceDates)
	if opt == nil && len(rdates) == 0 {
		return nil, nil
	}
	set := &rrule.Set{}
	set.DTStart(start)
	if opt != nil {
		opt.Dtstart = start
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, err
		}
		set.RRule(r)
	} else {
		set.RDate(start)
	}
	for _, p := range rdates {
		ts, err := dateList(p)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			set.RDate(t)
		}
	}
	for _, p := range c.Props.Values(ical.PropExceptionDates) {
		ts, err := dateList(p)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			set.ExDate(t)
		}
	}
	return set, nil
}

// dateList parses a property holding one or more comma-separated dates.
func dateList(p ical.Prop) ([]time.Time, error) {
	var out []time.Time
	for _, v := range strings.Split(p.Value, ",") {
		q := p
		q.Value = strings.TrimSpace(v)
		t, err := q.DateTime(time.UTC)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// overlaps is RFC 4791 §9.9 for one instance [s, s+d); zero bounds of the
// range are open.
func overlaps(s time.Time, d time.Duration, qs, qe time.Time) bool {
	e := s.Add(d)
	if d == 0 {
		return (qs.IsZero() || !s.Before(qs)) && (qe.IsZero() || s.Before(qe))
	}
	return (qe.IsZero() || s.Before(qe)) && (qs.IsZero() || e.After(qs))
}

// inRange reports whether any instance of the components named name in
// cal overlaps [qs, qe). Instances replaced by a RECURRENCE-ID override
// are judged by the override.
func inRange(cal *ical.Calendar, name string, qs, qe time.Time) (bool, error) {
	overridden := overriddenInstances(cal, name)
	for _, c := range cal.Children {
		if c.Name != name {
			continue
		}
		ok, err := componentInRange(c, overridden, qs, qe)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func componentInRange(c *ical.Component, overridden map[int64]bool, qs, qe time.Time) (bool, error) {
	s, _, err := startAndDuration(c)
	if err != nil {
		return false, err
	}
	if s.IsZero() {
		return true, nil // no date at all: RFC 4791 §9.9 matches it
	}
	found := false
	err = eachInstance(c, overridden, qs, qe, func(time.Time, time.Duration) bool {
		found = true
		return false
	})
	return found, err
}

// eachInstance calls fn with the start and length of every instance of c
// overlapping [qs, qe), in order, until fn returns false. Undated
// components have no instances.
func eachInstance(c *ical.Component, overridden map[int64]bool, qs, qe time.Time, fn func(time.Time, time.Duration) bool) error {
	s, d, err := startAndDuration(c)
	if err != nil || s.IsZero() {
		return err
	}
	set, err := recurrence(c, s)
	if err != nil {
		return err
	}
	if set == nil || c.Props.Get(ical.PropRecurrenceID) != nil {
		if overlaps(s, d, qs, qe) {
			fn(s, d)
		}
		return nil
	}
	next := set.Iterator()
	for i := 0; i < maxInstances; i++ {
		t, ok := next()
		if !ok || (!qe.IsZero() && !t.Before(qe)) {
			return nil
		}
		if !overridden[t.Unix()] && overlaps(t, d, qs, qe) && !fn(t, d) {
			return nil
		}
	}
	return nil
}

// overriddenInstances are the RECURRENCE-IDs of the components named name.
func overriddenInstances(cal *ical.Calendar, name string) map[int64]bool {
	out := map[int64]bool{}
	for _, c := range cal.Children {
		if c.Name == name {
			if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil {
				if t, err := rid.DateTime(time.UTC); err == nil {
					out[t.Unix()] = true
				}
			}
		}
	}
	return out
}
