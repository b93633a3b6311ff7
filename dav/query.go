package dav

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

func xmlName(space, local string) xml.Name { return xml.Name{Space: space, Local: local} }

// timeRange reads a CalDAV time-range element (UTC basic format).
func timeRange(n *node) (qs, qe time.Time, ok bool, derr *davError) {
	if n == nil {
		return qs, qe, false, nil
	}
	parse := func(s string) (time.Time, *davError) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse("20060102T150405Z", s)
		if err != nil {
			return t, errBadRequest("time-range " + s + " is not a UTC date-time like 20261201T000000Z")
		}
		return t, nil
	}
	if qs, derr = parse(n.attr("start")); derr != nil {
		return
	}
	if qe, derr = parse(n.attr("end")); derr != nil {
		return
	}
	if qs.IsZero() && qe.IsZero() {
		return qs, qe, false, errBadRequest("time-range needs start or end")
	}
	return qs, qe, true, nil
}

// rangeConditions narrow object rows to those whose extracted span may
// overlap [qs, qe); rows without a start or an end are kept.
func rangeConditions(qs, qe time.Time) []resource.Condition {
	var out []resource.Condition
	if !qe.IsZero() {
		v := qe.Format(time.RFC3339Nano)
		out = append(out, resource.Condition{Column: "start_at", Operator: "lt", Value: v, LogicalGroup: "s"},
			resource.Condition{Column: "start_at", Operator: "is null", LogicalGroup: "s"})
	}
	if !qs.IsZero() {
		v := qs.Format(time.RFC3339Nano)
		out = append(out, resource.Condition{Column: "end_at", Operator: "gte", Value: v, LogicalGroup: "e"},
			resource.Condition{Column: "end_at", Operator: "is null", LogicalGroup: "e"})
	}
	return out
}

func (h *Handler) calendarQuery(w http.ResponseWriter, r *http.Request, t target, c *coll, body *node) *davError {
	ctx := r.Context()
	top := body.child(nsCalDAV, "filter").child(nsCalDAV, "comp-filter")
	if top == nil || top.attr("name") != "VCALENDAR" {
		return &davError{status: http.StatusForbidden, msg: "calendar-query needs a VCALENDAR comp-filter", cond: "<c:valid-filter/>"}
	}
	me := auth.PrincipalFrom(ctx).UserRef
	key := queryKey(c.ref, me, t.prefix, body)
	stamp := h.queryStamp(h.d.Res())
	if cached, ok := h.queries.get(key, stamp); ok {
		sendCached(w, cached)
		return nil
	}
	// Narrow in SQL with the component and time range of the first
	// nested comp-filter; every candidate is then matched exactly.
	extra := []resource.Condition{}
	var plain plainRange
	if sub := top.child(nsCalDAV, "comp-filter"); sub != nil && sub.child(nsCalDAV, "is-not-defined") == nil {
		extra = append(extra, cond("component", "is", sub.attr("name")))
		qs, qe, ok, derr := timeRange(sub.child(nsCalDAV, "time-range"))
		if derr != nil {
			return derr
		}
		if ok {
			extra = append(extra, rangeConditions(qs, qe)...)
			plain = plainRangeOf(top, sub, qs, qe)
		}
	}
	os, err := objects(ctx, h.d.Res(), c, extra...)
	if err != nil {
		return h.resErr(ctx, err)
	}
	q := parsePropReq(body)
	data := q.wants(pCalData)
	m := newMultistatus()
	for i := range os {
		if in, known := plain.match(&os[i]); known {
			if in {
				m.render(objectHref(t.prefix, me, c.seg, os[i].file), objectProps(c, &os[i], data), q)
			}
			continue
		}
		cal, err := ical.NewDecoder(bytes.NewReader(os[i].content)).Decode()
		if err != nil {
			continue // stored outside DAV and not valid iCalendar: matches nothing
		}
		ok, derr := matchComp(cal, []*ical.Component{cal.Component}, top)
		if derr != nil {
			return derr
		}
		if ok {
			m.render(objectHref(t.prefix, me, c.seg, os[i].file), objectProps(c, &os[i], data), q)
		}
	}
	out := m.finish()
	h.queries.put(key, stamp, out)
	sendCached(w, out)
	return nil
}

// matchComp evaluates a comp-filter against the components of one level.
func matchComp(cal *ical.Calendar, comps []*ical.Component, f *node) (bool, *davError) {
	name := f.attr("name")
	var named []*ical.Component
	for _, c := range comps {
		if c.Name == name {
			named = append(named, c)
		}
	}
	if f.child(nsCalDAV, "is-not-defined") != nil {
		return len(named) == 0, nil
	}
	if len(named) == 0 {
		return false, nil
	}
	qs, qe, hasRange, derr := timeRange(f.child(nsCalDAV, "time-range"))
	if derr != nil {
		return false, derr
	}
	if hasRange && name != "VALARM" {
		in, err := inRange(cal, name, qs, qe)
		if err != nil || !in {
			return false, nil
		}
	}
	for _, c := range named {
		ok := true
		for _, pf := range f.children(nsCalDAV, "prop-filter") {
			m, derr := matchProp(c, pf)
			if derr != nil {
				return false, derr
			}
			ok = ok && m
		}
		for _, cf := range f.children(nsCalDAV, "comp-filter") {
			m, derr := matchComp(cal, c.Children, cf)
			if derr != nil {
				return false, derr
			}
			ok = ok && m
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// matchProp evaluates a prop-filter (is-not-defined, time-range,
// text-match with the default i;ascii-casemap collation).
func matchProp(c *ical.Component, f *node) (bool, *davError) {
	vals := c.Props.Values(strings.ToUpper(f.attr("name")))
	if f.child(nsCalDAV, "is-not-defined") != nil {
		return len(vals) == 0, nil
	}
	if len(vals) == 0 {
		return false, nil
	}
	qs, qe, hasRange, derr := timeRange(f.child(nsCalDAV, "time-range"))
	if derr != nil {
		return false, derr
	}
	tm := f.child(nsCalDAV, "text-match")
	for _, v := range vals {
		ok := true
		if hasRange {
			t, err := v.DateTime(time.UTC)
			ok = err == nil && overlaps(t, 0, qs, qe)
		}
		if tm != nil {
			ok = ok && textMatch(v.Value, tm)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func textMatch(value string, tm *node) bool {
	hit := strings.Contains(strings.ToLower(value), strings.ToLower(strings.TrimSpace(tm.Text)))
	if tm.attr("collation") == "i;octet" {
		hit = strings.Contains(value, strings.TrimSpace(tm.Text))
	}
	if tm.attr("negate-condition") == "yes" {
		return !hit
	}
	return hit
}

func (h *Handler) addressbookQuery(w http.ResponseWriter, r *http.Request, t target, c *coll, body *node) *davError {
	ctx := r.Context()
	filter, derr := parseCardFilter(body.child(nsCardDAV, "filter"))
	if derr != nil {
		return derr
	}
	os, err := objects(ctx, h.d.Res(), c)
	if err != nil {
		return h.resErr(ctx, err)
	}
	q := parsePropReq(body)
	data := q.wants(pCardData)
	me := auth.PrincipalFrom(ctx).UserRef
	m := newMultistatus()
	for i := range os {
		card, _, derr := parseVCard(os[i].content)
		if derr != nil {
			continue
		}
		if filter.match(card) {
			m.render(objectHref(t.prefix, me, c.seg, os[i].file), objectProps(c, &os[i], data), q)
		}
	}
	m.send(w)
	return nil
}
