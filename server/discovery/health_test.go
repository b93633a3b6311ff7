package discovery

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/schema"
)

func TestHealth(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := WithHealth(next)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/health", nil))
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	ts, err := time.Parse(time.RFC3339, body["timestamp"])
	if body["status"] != "healthy" || err != nil || time.Since(ts) > time.Minute || len(body) != 2 {
		t.Errorf("body %v", body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/api/health", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d %q", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/todo", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("other paths must pass through: %d", rec.Code)
	}
}

// TestHealthBesideAPIRoute checks that /api/health is reachable on a root
// router that also mounts /api/{type}.
func TestHealthBesideAPIRoute(t *testing.T) {
	r := chi.NewRouter()
	r.Route("/api", func(r chi.Router) {
		r.Get("/{type}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	})
	sc := &schema.Schema{Tables: []*schema.Table{{TableName: "a"}, {TableName: "b"}}}
	started := time.Now().Add(-90 * time.Second)
	Mount(r, Deps{Schema: func() *schema.Schema { return sc }, DBType: "postgres", Version: "v1.2.3",
		Started: func() time.Time { return started }})
	for path, want := range map[string]int{"/api/health": 200, "/api/status": 200, "/api/todo": 418} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", path, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/status", nil))
	var st map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if st["version"] != "v1.2.3" || st["database"] != "postgres" || st["tables"] != 2.0 || st["go_version"] != runtime.Version() {
		t.Errorf("status %v", st)
	}
	if up, _ := st["uptime"].(float64); up < 89 || up > 120 {
		t.Errorf("uptime %v", st["uptime"])
	}
}

func TestHealthProbe(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	for _, tc := range []struct {
		saturated bool
		code      int
		status    string
	}{{false, http.StatusOK, "healthy"}, {true, http.StatusServiceUnavailable, "degraded"}} {
		h := WithHealthProbe(next, func() bool { return tc.saturated })
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/health", nil))
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != tc.code || body["status"] != tc.status {
			t.Errorf("saturated=%v: %d %s", tc.saturated, rec.Code, rec.Body)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/api/health", nil))
		if rec.Code != tc.code {
			t.Errorf("HEAD saturated=%v: %d", tc.saturated, rec.Code)
		}
	}
}
