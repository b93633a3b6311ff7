package discovery

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
)

// Deps are what the discovery endpoints read. Functions are called on every
// request, so a live schema reload or a late start time is seen at once.
type Deps struct {
	// StatusSections adds top-level sections to /api/status (integrations,
	// scheduler); nil adds none.
	StatusSections func() map[string]any
	// Res is the resource layer; /jsmodel reads state machines through it.
	Res func() resource.Service
	// Schema is the live schema; nil means Res().Schema().
	Schema func() *schema.Schema
	// DBStats reports the connection pools (storage/db DB.Stats); nil
	// leaves the db sections empty.
	DBStats func() map[string]any
	// DBType is the configured database type (sqlite3, postgres, mysql).
	DBType string
	// Version is the server version; empty means the module version from
	// the build information.
	Version string
	// Started returns when the server started; nil means when Mount ran.
	Started func() time.Time
	// Metrics holds the request counters; nil disables /metrics request
	// series and the web section of /statistics.
	Metrics *Metrics
	// Events returns how many change events were published; nil means the
	// count Metrics.ObserveChange keeps.
	Events func() int64
	// Cluster reports the cluster section of /api/status; nil omits it.
	Cluster func() map[string]any
	// Log receives internal errors; nil means slog.Default().
	Log *slog.Logger
}

// handlers binds Deps to the endpoint methods.
type handlers struct {
	d    Deps
	meta *metaDoc
}

// Mount registers /meta, /jsmodel/{entity}, /api/health, /api/status,
// /statistics and /metrics on r. Paths are absolute: mount it on the root
// router. /api/health may also be served ahead of every middleware with
// WithHealth.
func Mount(r chi.Router, d Deps) {
	h := newHandlers(d)
	r.Get("/meta", h.metaHandler)
	r.Get("/jsmodel/{entity}", httperr.Handle(h.d.Log, h.jsmodel))
	r.Get("/api/health", Health)
	r.Get("/api/status", h.status)
	r.Get("/statistics", h.adminOnly(h.statistics))
	r.Get("/metrics", h.metricsAccess(h.metrics))
}

func newHandlers(d Deps) *handlers {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Schema == nil && d.Res != nil {
		res := d.Res
		d.Schema = func() *schema.Schema { return res().Schema() }
	}
	if d.Started == nil {
		t := time.Now()
		d.Started = func() time.Time { return t }
	}
	if d.Version == "" {
		d.Version = buildVersion()
	}
	if d.Events == nil && d.Metrics != nil {
		d.Events = d.Metrics.Changes
	}
	return &handlers{d: d, meta: newMetaDoc()}
}

// buildVersion is the main module's version, "(devel)" for local builds.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// uptime is the time since the server started.
func (h *handlers) uptime() time.Duration {
	s := h.d.Started()
	if s.IsZero() {
		return 0
	}
	return time.Since(s)
}

// adminOnly lets administrators through: a guest gets a 401 and any other
// caller a 403, as JSON:API error documents.
func (h *handlers) adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if refuse(w, r, h.d.Log, auth.PrincipalFrom(r.Context())) {
			return
		}
		next(w, r)
	}
}

// refuse writes a 401 or 403 unless p is an administrator; it reports
// whether it wrote.
func refuse(w http.ResponseWriter, r *http.Request, log *slog.Logger, p auth.Principal) bool {
	switch {
	case p.IsAdmin():
		return false
	case p.IsGuest():
		httperr.Write(w, r, log, httperr.New(http.StatusUnauthorized, "authentication required",
			"this endpoint is for administrators; send an administrator's token"))
	default:
		httperr.Write(w, r, log, httperr.New(http.StatusForbidden, "forbidden",
			"only administrators may read this endpoint"))
	}
	return true
}

// writeJSON answers v as application/json.
func writeJSON(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		httperr.Write(w, r, log, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
