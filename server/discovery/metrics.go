package discovery

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/resource"
)

// Buckets are the upper bounds, in seconds, of the request duration
// histogram (a +Inf bucket follows).
var Buckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// unmatchedRoute labels requests no route matched, so unknown paths cannot
// grow the number of series.
const unmatchedRoute = "unmatched"

// Metrics counts HTTP requests per method, route pattern and status, and
// times them per method and route. It is safe for concurrent use; the zero
// value is not: use NewMetrics.
type Metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[routeKey]*histogram
	total     uint64
	totalTime time.Duration
	changes   atomic.Int64
	routes    map[string]string // interned route patterns (observePattern)
}

type routeKey struct{ method, route string }

type requestKey struct {
	routeKey
	code int
}

// histogram holds per-bucket (not cumulative) counts; the last entry is
// the +Inf bucket.
type histogram struct {
	counts []uint64
	sum    float64
	count  uint64
}

// NewMetrics returns an empty collector.
func NewMetrics() *Metrics {
	return &Metrics{requests: map[requestKey]uint64{}, durations: map[routeKey]*histogram{}, routes: map[string]string{}}
}

// Middleware records every request after the handler ran: its method, the
// chi route pattern that matched ("unmatched" when none did), its status
// and how long it took. Install it with Use on the root chi router, so the
// route context is there once routing is done.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		t0 := time.Now()
		next.ServeHTTP(ww, r)
		var buf [128]byte
		var pat []byte
		if rc := chi.RouteContext(r.Context()); rc != nil {
			pat = appendRoutePattern(buf[:0], rc.RoutePatterns)
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK // nothing written: net/http sends 200
		}
		m.observePattern(r.Method, pat, status, time.Since(t0))
	})
}

// Observe records one request. Methods outside the standard set are
// counted as OTHER.
func (m *Metrics) Observe(method, route string, status int, d time.Duration) {
	rk := routeKey{method: normMethod(method), route: route}
	secs := d.Seconds()
	i, _ := slices.BinarySearch(Buckets, secs) // first bound >= secs; len = +Inf
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{routeKey: rk, code: status}]++
	h := m.durations[rk]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(Buckets)+1)}
		m.durations[rk] = h
	}
	h.counts[i]++
	h.sum += secs
	h.count++
	m.total++
	m.totalTime += d
}

// ObserveChange counts one published change event; pass it to
// resource.Service.Subscribe.
func (m *Metrics) ObserveChange(resource.Change) { m.changes.Add(1) }

// Changes is the number of change events observed.
func (m *Metrics) Changes() int64 { return m.changes.Load() }

func normMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// requestCount is one series of apiary_http_requests_total.
type requestCount struct {
	Method, Route string
	Code          int
	Count         uint64
}

// routeTiming is one apiary_http_request_duration_seconds histogram.
type routeTiming struct {
	Method, Route string
	Counts        []uint64 // cumulative, one per bucket then +Inf
	Sum           float64
	Count         uint64
}

// snapshot is a consistent, sorted copy of the counters.
type snapshot struct {
	Requests  []requestCount
	Timings   []routeTiming
	Total     uint64
	TotalTime time.Duration
}

func (m *Metrics) snapshot() snapshot {
	m.mu.Lock()
	s := snapshot{Total: m.total, TotalTime: m.totalTime,
		Requests: make([]requestCount, 0, len(m.requests)), Timings: make([]routeTiming, 0, len(m.durations))}
	for k, n := range m.requests {
		s.Requests = append(s.Requests, requestCount{Method: k.method, Route: k.route, Code: k.code, Count: n})
	}
	for k, h := range m.durations {
		cum := make([]uint64, len(h.counts))
		var run uint64
		for i, c := range h.counts {
			run += c
			cum[i] = run
		}
		s.Timings = append(s.Timings, routeTiming{Method: k.method, Route: k.route, Counts: cum, Sum: h.sum, Count: h.count})
	}
	m.mu.Unlock()
	slices.SortFunc(s.Requests, func(a, b requestCount) int {
		return cmp.Or(cmp.Compare(a.Route, b.Route), cmp.Compare(a.Method, b.Method), cmp.Compare(a.Code, b.Code))
	})
	slices.SortFunc(s.Timings, func(a, b routeTiming) int {
		return cmp.Or(cmp.Compare(a.Route, b.Route), cmp.Compare(a.Method, b.Method))
	})
	return s
}

// web is the request section of /statistics: totals, counts per status
// code and per status class, and per-route counts and mean latency.
func (s snapshot) web() map[string]any {
	codes := map[string]uint64{}
	classes := map[string]uint64{}
	for _, rc := range s.Requests {
		codes[strconv.Itoa(rc.Code)] += rc.Count
		classes[strconv.Itoa(rc.Code/100)+"xx"] += rc.Count
	}
	routes := make([]map[string]any, 0, len(s.Timings))
	for _, t := range s.Timings {
		routes = append(routes, map[string]any{"method": t.Method, "route": t.Route, "count": t.Count,
			"average_response_time_sec": mean(t.Sum, t.Count)})
	}
	return map[string]any{
		"total_count":               s.Total,
		"total_status_code_count":   codes,
		"total_status_class_count":  classes,
		"total_response_time":       s.TotalTime.String(),
		"total_response_time_sec":   s.TotalTime.Seconds(),
		"average_response_time_sec": mean(s.TotalTime.Seconds(), s.Total),
		"routes":                    routes,
	}
}

func mean(sum float64, n uint64) float64 {
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
