package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/go-chi/chi/v5/middleware"
)

// TestFormatRequestID checks the id against chi's format "%s-%06d".
func TestFormatRequestID(t *testing.T) {
	for _, n := range []uint64{0, 1, 42, 999999, 1000000, 1<<64 - 1} {
		if got, want := formatRequestID("h/abc", n), fmt.Sprintf("%s-%06d", "h/abc", n); got != want {
			t.Errorf("formatRequestID(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestRequestID checks that GetReqID sees a generated id, counting up, and
// the client's X-Request-Id when it sends one.
func TestRequestID(t *testing.T) {
	var seen []string
	h := requestID()(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = append(seen, middleware.GetReqID(r.Context()))
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Request-Id", "client-id")
	h.ServeHTTP(httptest.NewRecorder(), req)
	re := regexp.MustCompile(`^[^/]+/[A-Za-z0-9]{10}-00000[12]$`)
	if len(seen) != 3 || !re.MatchString(seen[0]) || !re.MatchString(seen[1]) || seen[0] == seen[1] || seen[2] != "client-id" {
		t.Errorf("request ids %q", seen)
	}
}
