package discovery

import (
	"encoding/json"
	"net/http"
	"runtime"
	"time"
)

// HealthPath is where Health is served.
const HealthPath = "/api/health"

// Health answers GET /api/health with {"status":"healthy","timestamp":...}
// (RFC 3339, UTC). It needs no authentication and touches nothing: if the
// process can answer, it is healthy.
func Health(w http.ResponseWriter, r *http.Request) { writeHealth(w, r, false) }

// writeHealth writes the health document; a saturated server answers 503
// with status "degraded", so a load balancer stops sending it traffic.
func writeHealth(w http.ResponseWriter, r *http.Request, saturated bool) {
	w.Header().Set("Cache-Control", "no-store")
	status, code := "healthy", http.StatusOK
	if saturated {
		status, code = "degraded", http.StatusServiceUnavailable
	}
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		return
	}
	writeJSON(w, r, nil, code, struct {
		Status    string `json:"status"`
		Timestamp string `json:"timestamp"`
	}{status, time.Now().UTC().Format(time.RFC3339)})
}

// WithHealth answers GET and HEAD /api/health before next sees the request,
// so load balancer probes skip logging, authentication and rate limiting.
// Wrap the whole router with it: handler = discovery.WithHealth(router).
func WithHealth(next http.Handler) http.Handler { return WithHealthProbe(next, nil) }

// WithHealthProbe is WithHealth with a saturation probe: while saturated
// reports true (every request slot taken and requests queueing), the
// answer is 503 {"status":"degraded",...}. A nil probe never reports it.
func WithHealthProbe(next http.Handler, saturated func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == HealthPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			writeHealth(w, r, saturated != nil && saturated())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serverStatus is the /api/status document.
type serverStatus struct {
	Status      string `json:"status"`
	Version     string `json:"version"`
	Uptime      int64  `json:"uptime"` // seconds
	UptimeHuman string `json:"uptime_human"`
	StartedAt   string `json:"started_at,omitempty"`
	Database    string `json:"database"`
	Tables      int    `json:"tables"`
	GoVersion   string `json:"go_version"`
	// Cluster is the member count and this node's name (docs/cluster.md).
	Cluster map[string]any `json:"cluster,omitempty"`
}

// status answers GET /api/status: version, uptime in seconds, database
// type and the number of tables in the live schema. Nothing in it is
// secret, so it needs no authentication.
func (h *handlers) status(w http.ResponseWriter, r *http.Request) {
	up := h.uptime()
	st := serverStatus{Status: "ok", Version: h.d.Version, Uptime: int64(up.Seconds()), UptimeHuman: up.Truncate(time.Second).String(),
		Database: h.d.DBType, GoVersion: runtime.Version()}
	if s := h.d.Started(); !s.IsZero() {
		st.StartedAt = s.UTC().Format(time.RFC3339)
	}
	if h.d.Schema != nil {
		if sc := h.d.Schema(); sc != nil {
			st.Tables = len(sc.Tables)
		}
	}
	if h.d.Cluster != nil {
		st.Cluster = h.d.Cluster()
	}
	w.Header().Set("Cache-Control", "no-store")
	if h.d.StatusSections == nil {
		writeJSON(w, r, h.d.Log, http.StatusOK, st)
		return
	}
	doc := map[string]any{}
	raw, _ := json.Marshal(st)
	_ = json.Unmarshal(raw, &doc)
	for k, v := range h.d.StatusSections() {
		doc[k] = v
	}
	writeJSON(w, r, h.d.Log, http.StatusOK, doc)
}
