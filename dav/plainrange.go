package dav

import (
	"bytes"
	"time"
)

// plainRange is a calendar-query whose whole filter is one component name
// and one time range (what every client sends to fill a month view). For
// an object holding a single non-recurring component of that name, the
// extracted start_at and end_at answer it exactly, so the object need not
// be parsed.
type plainRange struct {
	on     bool
	begin  []byte // "BEGIN:" + the component name
	qs, qe time.Time
}

// plainRangeOf recognises the filter VCALENDAR > comp-filter(name) >
// time-range and nothing else.
func plainRangeOf(top, sub *node, qs, qe time.Time) plainRange {
	if len(top.Children) != 1 || len(sub.Children) != 1 {
		return plainRange{}
	}
	switch name := sub.attr("name"); name {
	case "VEVENT", "VTODO", "VJOURNAL":
		return plainRange{on: true, begin: []byte("BEGIN:" + name), qs: qs, qe: qe}
	}
	return plainRange{}
}

// match answers from the extracted columns; known is false when the
// object must be parsed (recurring, undated, several components, or a
// query that is not plain).
func (p plainRange) match(o *object) (in, known bool) {
	if !p.on || o.recurring || o.start.IsZero() || o.end.IsZero() || o.end.Before(o.start) {
		return false, false
	}
	if bytes.Count(o.content, p.begin) != 1 {
		return false, false
	}
	return overlaps(o.start, o.end.Sub(o.start), p.qs, p.qe), true
}
