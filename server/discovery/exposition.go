package discovery

import (
	"bufio"
	"bytes"
	"math"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
)

// MetricsContentType is the media type of the Prometheus text format 0.0.4.
const MetricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// metricsAccess admits administrators and any caller connecting from a
// loopback address (a Prometheus scraper on the same host has no token).
// Behind a reverse proxy on the same host every request looks local: the
// proxy must then refuse /metrics itself. X-Forwarded-For is never trusted.
func (h *handlers) metricsAccess(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if isLoopback(r.RemoteAddr) {
			next(w, r)
			return
		}
		if refuse(w, r, h.d.Log, auth.PrincipalFrom(r.Context())) {
			return
		}
		next(w, r)
	}
}

// isLoopback reports whether a RemoteAddr ("host:port") is a loopback IP.
func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// metrics answers GET /metrics in the text exposition format. Series come
// in a fixed order: families as listed below, series sorted by labels.
func (h *handlers) metrics(w http.ResponseWriter, _ *http.Request) {
	var buf bytes.Buffer
	e := &expo{w: bufio.NewWriter(&buf)}
	if h.d.Metrics != nil {
		writeRequestFamilies(e, h.d.Metrics.snapshot())
	}
	h.writeDBFamilies(e)
	if h.d.Events != nil {
		e.family("apiary_change_events_total", "counter", "Change events published by the resource layer.")
		e.sample("apiary_change_events_total", nil, float64(h.d.Events()))
	}
	if h.d.Cluster != nil {
		if n, ok := h.d.Cluster()["members"].(int); ok {
			e.family("apiary_cluster_members", "gauge", "Live cluster members this node sees, itself included.")
			e.sample("apiary_cluster_members", nil, float64(n))
		}
	}
	e.family("apiary_uptime_seconds", "gauge", "Seconds since the server started.")
	e.sample("apiary_uptime_seconds", nil, h.uptime().Seconds())
	e.family("go_goroutines", "gauge", "Number of goroutines that currently exist.")
	e.sample("go_goroutines", nil, float64(runtime.NumGoroutine()))
	if rss, ok := residentBytes(); ok {
		e.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
		e.sample("process_resident_memory_bytes", nil, float64(rss))
	}
	_ = e.w.Flush()
	w.Header().Set("Content-Type", MetricsContentType)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func writeRequestFamilies(e *expo, s snapshot) {
	e.family("apiary_http_requests_total", "counter", "HTTP requests by method, route pattern and status code.")
	for _, rc := range s.Requests {
		e.sample("apiary_http_requests_total", []string{"method", rc.Method, "route", rc.Route, "code", strconv.Itoa(rc.Code)}, float64(rc.Count))
	}
	const dur = "apiary_http_request_duration_seconds"
	e.family(dur, "histogram", "HTTP request latency by method and route pattern.")
	for _, t := range s.Timings {
		for i, c := range t.Counts {
			le := "+Inf"
			if i < len(Buckets) {
				le = formatFloat(Buckets[i])
			}
			e.sample(dur+"_bucket", []string{"method", t.Method, "route", t.Route, "le", le}, float64(c))
		}
		e.sample(dur+"_sum", []string{"method", t.Method, "route", t.Route}, t.Sum)
		e.sample(dur+"_count", []string{"method", t.Method, "route", t.Route}, float64(t.Count))
	}
}

// dbGauges maps pool stat keys (storage/db DB.Stats) to metric families.
var dbGauges = []struct{ key, name, typ, help string }{
	{"open_connections", "apiary_db_open_connections", "gauge", "Open database connections by pool."},
	{"in_use", "apiary_db_in_use", "gauge", "Database connections in use by pool."},
	{"idle", "apiary_db_idle", "gauge", "Idle database connections by pool."},
	{"wait_count", "apiary_db_wait_count", "counter", "Waits for a free database connection by pool."},
}

func (h *handlers) writeDBFamilies(e *expo) {
	if h.d.DBStats == nil {
		return
	}
	stats := h.d.DBStats()
	pools := poolNames(stats)
	for _, g := range dbGauges {
		e.family(g.name, g.typ, g.help)
		for _, p := range pools {
			if v, ok := number(stats[p].(map[string]any)[g.key]); ok {
				e.sample(g.name, []string{"pool", p}, v)
			}
		}
	}
}

// poolNames are the keys of stats whose values are pool maps, sorted.
func poolNames(stats map[string]any) []string {
	var out []string
	for k, v := range stats {
		if _, ok := v.(map[string]any); ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// number converts the integer and float kinds DB.Stats uses.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// expo writes the text exposition format.
type expo struct{ w *bufio.Writer }

func (e *expo) family(name, typ, help string) {
	e.w.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n")
	e.w.WriteString("# TYPE " + name + " " + typ + "\n")
}

// sample writes one line; labels are name, value pairs.
func (e *expo) sample(name string, labels []string, v float64) {
	e.w.WriteString(name)
	if len(labels) > 0 {
		e.w.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				e.w.WriteByte(',')
			}
			e.w.WriteString(labels[i] + `="` + escapeLabel(labels[i+1]) + `"`)
		}
		e.w.WriteByte('}')
	}
	e.w.WriteByte(' ')
	e.w.WriteString(formatFloat(v))
	e.w.WriteByte('\n')
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// formatFloat spells a sample value as Prometheus parses it: whole numbers
// without an exponent, others in the shortest form.
func formatFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
