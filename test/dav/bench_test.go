package dav

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// benchEvents is the size of the benchmark calendar.
const benchEvents = 10000

// seedCalendar creates calendar "big" holding n events spread over 2027
// (about 27 a day), written through the resource layer in batches.
func seedCalendar(b *testing.B, u *user, n int) string {
	b.Helper()
	cal := u.home() + "big/"
	u.do(b, "MKCALENDAR", cal, nil, "").want(b, 201, "MKCALENDAR")
	res := u.s.Srv.Resource()
	ctx := context.Background()
	p, err := res.PrincipalByEmail(ctx, u.email)
	if err != nil {
		b.Fatal(err)
	}
	ctx = auth.WithPrincipal(ctx, p)
	page, err := res.List(ctx, "collection", resource.Query{Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: "big"}}})
	if err != nil || len(page.Rows) != 1 {
		b.Fatalf("collection: %v", err)
	}
	coll := page.Rows[0].RefID
	base := time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 1000 {
		err := res.InTx(ctx, func(tx resource.Service) error {
			for i := start; i < start+1000 && i < n; i++ {
				s := base.Add(time.Duration(i) * (365 * 24 * time.Hour / time.Duration(n)))
				e := s.Add(time.Hour)
				uid := fmt.Sprintf("ev%05d@bench", i)
				f := func(t time.Time) string { return t.Format("20060102T150405Z") }
				_, err := tx.Create(ctx, "calendar", resource.Input{Attributes: map[string]any{
					"rpath": "/" + coll + "/" + uid + ".ics", "file_name": uid + ".ics", "uid": uid, "component": "VEVENT",
					"summary": "Event " + uid, "start_at": s.Format(time.RFC3339), "end_at": e.Format(time.RFC3339), "recurring": false,
					"content": event(uid, "Event "+uid, f(s), f(e), "")},
					Relationships: map[string]resource.RelInput{"collection_id": {Refs: []resource.Ref{{Type: "collection", ID: coll}}}}})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return cal
}

// BenchmarkDAV measures the three figures of docs/benchmarks.md on a
// calendar of 10,000 events.
func BenchmarkDAV(b *testing.B) {
	s := start(b)
	u := newUser(b, s, "bench")
	cal := seedCalendar(b, u, benchEvents)
	for i := 0; i < 3; i++ {
		u.do(b, "MKCALENDAR", fmt.Sprintf("%sextra%d/", u.home(), i), nil, "").want(b, 201, "extra calendar")
	}
	b.Run("calendar-query-month", func(b *testing.B) {
		q := calendarQuery("20270301T000000Z", "20270401T000000Z")
		r := u.do(b, "REPORT", cal, map[string]string{"Depth": "1"}, q).want(b, 207, "query")
		if n := strings.Count(r.body, "<d:response>"); n < 800 || n > 900 {
			b.Fatalf("a month holds %d events, want about 850", n)
		}
		b.ResetTimer()
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			u.do(b, "REPORT", cal, map[string]string{"Depth": "1"}, q)
		}
	})
	b.Run("calendar-query-month-uncached", func(b *testing.B) {
		// A different range end each time: every request misses the
		// answer cache, as the first one after a change does.
		b.ResetTimer()
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			q := calendarQuery("20270301T000000Z", fmt.Sprintf("20270401T%02d%02d%02dZ", i/3600%24, i/60%60, i%60))
			u.do(b, "REPORT", cal, map[string]string{"Depth": "1"}, q).want(b, 207, "query")
		}
	})
	b.Run("calendar-query-month-etags", func(b *testing.B) {
		q := strings.Replace(calendarQuery("20270301T000000Z", "20270401T000000Z"), "<c:calendar-data/>", "", 1)
		b.ResetTimer()
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			u.do(b, "REPORT", cal, map[string]string{"Depth": "1"}, q).want(b, 207, "query")
		}
	})
	b.Run("sync-collection-10-changes", func(b *testing.B) {
		r := u.do(b, "REPORT", cal, nil, syncReport("")).want(b, 207, "initial sync")
		tok := tokenRe.FindStringSubmatch(r.body)[1]
		time.Sleep(1100 * time.Millisecond) // MySQL keeps whole seconds
		for i := 0; i < 10; i++ {
			uid := fmt.Sprintf("ev%05d@bench", i*7)
			u.do(b, "PUT", cal+uid+".ics", calHeaders, event(uid, "Changed", "20270101T080000Z", "20270101T090000Z", "")).want(b, 204, "change")
		}
		r = u.do(b, "REPORT", cal, nil, syncReport(tok)).want(b, 207, "delta")
		// The object changed last before the token may be reported again.
		if n := strings.Count(r.body, "<d:response>"); n < 10 || n > 11 {
			b.Fatalf("delta sync reports %d objects, want 10 (or 11)", n)
		}
		b.ResetTimer()
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			u.do(b, "REPORT", cal, nil, syncReport(tok))
		}
	})
	b.Run("propfind-home-depth1", func(b *testing.B) {
		body := `<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/></d:prop></d:propfind>`
		r := u.do(b, "PROPFIND", u.home(), map[string]string{"Depth": "1"}, body).want(b, 207, "home")
		if n := strings.Count(r.body, "<d:response>"); n != 5 {
			b.Fatalf("home lists %d resources, want 5", n)
		}
		b.ResetTimer()
		defer cpuPerOp(b)()
		for i := 0; i < b.N; i++ {
			u.do(b, "PROPFIND", u.home(), map[string]string{"Depth": "1"}, body)
		}
	})
}

// cpuPerOp reports the process's CPU time (user + system, server and
// client together) per operation as cpu-ms/op: on a shared machine the
// wall-clock figure measures the queue for the cores as much as the work.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
