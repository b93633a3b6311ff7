package discovery

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// sampleLine is the exposition grammar of a sample line: a metric name,
// optional labels with escaped values, and a float value.
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]Inf|NaN)$`)

// commentLine is a HELP or TYPE line.
var commentLine = regexp.MustCompile(`^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$`)

// CheckExposition fails t for any line outside the text format grammar.
func checkExposition(t *testing.T, text string) {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Error("exposition must end with a newline")
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			if !commentLine.MatchString(line) {
				t.Errorf("line %d: bad comment %q", i+1, line)
			}
			continue
		}
		if !sampleLine.MatchString(line) {
			t.Errorf("line %d: bad sample %q", i+1, line)
		}
	}
}

// metricsRouter is a root router with the middleware, a few routes and
// the discovery endpoints.
func metricsRouter(m *Metrics) http.Handler {
	r := chi.NewRouter()
	r.Use(m.Middleware)
	r.Use(func(next http.Handler) http.Handler { // a stand-in for authentication
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Header.Get("X-Test-User") {
			case "admin":
				r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{UserID: 1, Admin: true}))
			case "user":
				r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{UserID: 2}))
			}
			next.ServeHTTP(w, r)
		})
	})
	r.Route("/api", func(r chi.Router) {
		r.Get("/{type}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	})
	r.Get("/slow", func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(3 * time.Millisecond)
		_, _ = w.Write([]byte("ok"))
	})
	Mount(r, Deps{Metrics: m, DBType: "sqlite3", DBStats: func() map[string]any {
		return map[string]any{"dialect": "sqlite3",
			"writer": map[string]any{"open_connections": 1, "in_use": 0, "idle": 1, "wait_count": int64(3)},
			"reader": map[string]any{"open_connections": 4, "in_use": 2, "idle": 2, "wait_count": int64(0)}}
	}})
	return r
}

func do(h http.Handler, method, path, remote, user string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = remote
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

const (
	local  = "127.0.0.1:5555"
	remote = "203.0.113.9:5555"
)

func TestMetricsExposition(t *testing.T) {
	m := NewMetrics()
	h := metricsRouter(m)
	do(h, http.MethodGet, "/api/todo", remote, "")
	do(h, http.MethodGet, "/api/tag", remote, "")
	do(h, http.MethodGet, "/slow", remote, "")
	do(h, http.MethodGet, "/nowhere/at/all", remote, "")
	do(h, "BREW", "/slow", remote, "")
	m.ObserveChange(resource.Change{})

	rec := do(h, http.MethodGet, "/metrics", local, "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != MetricsContentType {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	text := rec.Body.String()
	checkExposition(t, text)
	for _, want := range []string{
		`apiary_http_requests_total{method="GET",route="/api/{type}",code="418"} 2`,
		`apiary_http_requests_total{method="GET",route="/slow",code="200"} 1`,
		`apiary_http_requests_total{method="GET",route="unmatched",code="404"} 1`,
		`apiary_http_requests_total{method="OTHER",route="unmatched",code="405"} 1`,
		`apiary_http_request_duration_seconds_bucket{method="GET",route="/slow",le="0.001"} 0`,
		`apiary_http_request_duration_seconds_bucket{method="GET",route="/slow",le="+Inf"} 1`,
		`apiary_http_request_duration_seconds_count{method="GET",route="/api/{type}"} 2`,
		`apiary_db_open_connections{pool="reader"} 4`,
		`apiary_db_open_connections{pool="writer"} 1`,
		`apiary_db_in_use{pool="reader"} 2`,
		`apiary_db_wait_count{pool="writer"} 3`,
		`apiary_change_events_total 1`,
		"# TYPE apiary_http_request_duration_seconds histogram",
		"\ngo_goroutines ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	// Deterministic: a second scrape differs only by the scrape itself.
	again := do(h, http.MethodGet, "/metrics", local, "").Body.String()
	strip := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, `route="/metrics"`) && !strings.HasPrefix(l, "go_") && !strings.HasPrefix(l, "process_") && !strings.HasPrefix(l, "apiary_uptime") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if strip(again) != strip(text) {
		t.Errorf("scrapes differ:\n%s\n---\n%s", strip(text), strip(again))
	}
}

func TestMetricsAccess(t *testing.T) {
	h := metricsRouter(NewMetrics())
	cases := []struct {
		remote, user string
		want         int
	}{
		{local, "", http.StatusOK},
		{"[::1]:80", "", http.StatusOK},
		{remote, "", http.StatusUnauthorized},
		{remote, "user", http.StatusForbidden},
		{remote, "admin", http.StatusOK},
	}
	for _, c := range cases {
		if rec := do(h, http.MethodGet, "/metrics", c.remote, c.user); rec.Code != c.want {
			t.Errorf("%s %q: %d, want %d", c.remote, c.user, rec.Code, c.want)
		}
	}
}

func TestHistogramBuckets(t *testing.T) {
	m := NewMetrics()
	for _, d := range []time.Duration{500 * time.Microsecond, time.Millisecond, 30 * time.Millisecond, 5 * time.Second} {
		m.Observe(http.MethodGet, "/x", 200, d)
	}
	tm := m.snapshot().Timings[0]
	// le=.001 holds 0.5ms and exactly 1ms; le=.05 adds 30ms; +Inf adds 5s.
	want := []uint64{2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4}
	for i, c := range tm.Counts {
		if c != want[i] {
			t.Fatalf("cumulative counts %v, want %v", tm.Counts, want)
		}
	}
	if tm.Count != 4 || tm.Sum < 5.03 || tm.Sum > 5.032 {
		t.Errorf("count %d sum %f", tm.Count, tm.Sum)
	}
}

func TestLabelEscaping(t *testing.T) {
	m := NewMetrics()
	m.Observe(http.MethodGet, "/a\"b\\c\nd", 200, time.Millisecond)
	rec := httptest.NewRecorder()
	newHandlers(Deps{Metrics: m}).metrics(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	checkExposition(t, rec.Body.String())
	if !strings.Contains(rec.Body.String(), `route="/a\"b\\c\nd"`) {
		t.Errorf("escaping:\n%s", rec.Body)
	}
}

func TestFormatFloat(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 12345678: "12345678", 0.0025: "0.0025", 2.5: "2.5", 1e-7: "1e-07"} {
		if got := formatFloat(v); got != want {
			t.Errorf("formatFloat(%v) = %s, want %s", v, got, want)
		}
	}
}
