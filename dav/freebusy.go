package dav

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// busy is one busy period of a free-busy answer.
type busy struct {
	start, end time.Time
	tentative  bool
}

// freeBusy answers CALDAV:free-busy-query (RFC 4791 §7.10): a VFREEBUSY
// with the periods of every opaque, not cancelled event instance in the
// range, recurring events expanded.
func (h *Handler) freeBusy(w http.ResponseWriter, r *http.Request, c *coll, body *node) *davError {
	ctx := r.Context()
	qs, qe, ok, derr := timeRange(body.child(nsCalDAV, "time-range"))
	if derr != nil {
		return derr
	}
	if !ok || qs.IsZero() || qe.IsZero() || !qs.Before(qe) {
		return errBadRequest("free-busy-query needs a time-range with start before end")
	}
	os, err := objects(ctx, h.d.Res(), c, append(rangeConditions(qs, qe), cond("component", "is", ical.CompEvent))...)
	if err != nil {
		return h.resErr(ctx, err)
	}
	var periods []busy
	for i := range os {
		cal, err := ical.NewDecoder(strings.NewReader(string(os[i].content))).Decode()
		if err != nil {
			continue
		}
		overridden := overriddenInstances(cal, ical.CompEvent)
		for _, ev := range cal.Children {
			if ev.Name != ical.CompEvent || propIs(ev, ical.PropTransparency, "TRANSPARENT") || propIs(ev, ical.PropStatus, "CANCELLED") {
				continue
			}
			tentative := propIs(ev, ical.PropStatus, "TENTATIVE")
			_ = eachInstance(ev, overridden, qs, qe, func(s time.Time, d time.Duration) bool {
				e := s.Add(d)
				if s.Before(qs) {
					s = qs
				}
				if e.After(qe) {
					e = qe
				}
				if e.After(s) {
					periods = append(periods, busy{start: s, end: e, tentative: tentative})
				}
				return true
			})
		}
	}
	sort.Slice(periods, func(i, j int) bool { return periods[i].start.Before(periods[j].start) })
	const f = "20060102T150405Z"
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apiary//CalDAV//EN\r\nBEGIN:VFREEBUSY\r\n")
	b.WriteString("DTSTAMP:" + time.Now().UTC().Format(f) + "\r\nDTSTART:" + qs.Format(f) + "\r\nDTEND:" + qe.Format(f) + "\r\n")
	for _, p := range periods {
		kind := "BUSY"
		if p.tentative {
			kind = "BUSY-TENTATIVE"
		}
		b.WriteString("FREEBUSY;FBTYPE=" + kind + ":" + p.start.Format(f) + "/" + p.end.Format(f) + "\r\n")
	}
	b.WriteString("END:VFREEBUSY\r\nEND:VCALENDAR\r\n")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(b.String()))
	return nil
}

func propIs(c *ical.Component, name, value string) bool {
	p := c.Props.Get(name)
	return p != nil && strings.EqualFold(strings.TrimSpace(p.Value), value)
}
