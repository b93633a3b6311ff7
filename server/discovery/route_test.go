package discovery

import (
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

// TestAppendRoutePattern checks the allocation-free pattern against chi's
// own Context.RoutePattern, which the metrics used before.
func TestAppendRoutePattern(t *testing.T) {
	for _, pats := range [][]string{
		nil,
		{"/"},
		{"//"},
		{"/ping"},
		{"/api/*", "/{type}/{id}"},
		{"/api/*", "/*", "/{type}"},
		{"/api/*", "/*/", "/x/"},
		{"/a/*/*/b"},
		{"/a/*/*/*/b/"},
		{"/api/*", "/"},
		{"/files/*"},
		{"/x//"},
	} {
		rc := &chi.Context{RoutePatterns: pats}
		want := rc.RoutePattern()
		var buf [8]byte // short, so longer patterns take the growing path
		if got := string(appendRoutePattern(buf[:0], pats)); got != want {
			t.Errorf("appendRoutePattern(%q) = %q, chi says %q", pats, got, want)
		}
	}
}

// TestObservePatternInterns checks that a pattern is recorded under its
// route, an empty one as unmatched, and that the bytes are not kept.
func TestObservePatternInterns(t *testing.T) {
	m := NewMetrics()
	pat := []byte("/api/{type}")
	m.observePattern("GET", pat, 200, time.Millisecond)
	copy(pat, "/xxxxxxxxxx") // the caller's buffer is reused
	m.observePattern("GET", []byte("/api/{type}"), 200, time.Millisecond)
	m.observePattern("GET", nil, 404, time.Millisecond)
	if got := m.requests[requestKey{routeKey{"GET", "/api/{type}"}, 200}]; got != 2 {
		t.Errorf("/api/{type} counted %d times, want 2", got)
	}
	if got := m.requests[requestKey{routeKey{"GET", unmatchedRoute}, 404}]; got != 1 {
		t.Errorf("unmatched counted %d times, want 1", got)
	}
	if len(m.routes) != 1 {
		t.Errorf("%d interned routes, want 1", len(m.routes))
	}
}
