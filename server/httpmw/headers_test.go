package httpmw

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	w := serve(SecurityHeaders(okHandler), "GET", "/", "", nil)
	for k, v := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
	} {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ remote, xff, want string }{
		{"192.0.2.1:1234", "", "192.0.2.1"},
		{"192.0.2.1:1234", "203.0.113.9", "192.0.2.1"},
		{"[2001:db8::1]:443", "", "2001:db8::1"},
		{"unix", "", "unix"},
	}
	for _, sc := range scenarios {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = sc.remote
		if sc.xff != "" {
			r.Header.Set("X-Forwarded-For", sc.xff)
			r.Header.Set("X-Real-IP", sc.xff)
		}
		if got := ClientIP(r); got != sc.want {
			t.Errorf("%s: %q, want %q", sc.remote, got, sc.want)
		}
	}
}

// TestSharedHeaderValuesStayPerResponse: SecurityHeaders and CORS give
// every response the same value slices; a handler that adds to or replaces
// one of those headers must change its own response only.
func TestSharedHeaderValuesStayPerResponse(t *testing.T) {
	t.Parallel()
	n := 0
	h := CORS(NewLive(DefaultSettings()))(SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.Header().Add("X-Frame-Options", "SAMEORIGIN")
			w.Header().Add("Vary", "Accept-Encoding")
			w.Header()["Referrer-Policy"][0] = "no-referrer" // a handler may write its own copy
		}
	})))
	first := serve(h, "GET", "/", "", nil)
	if got := first.Header().Values("X-Frame-Options"); len(got) != 2 || got[1] != "SAMEORIGIN" {
		t.Errorf("first response X-Frame-Options = %q", got)
	}
	if got := first.Header().Values("Vary"); len(got) != 2 || got[0] != "Origin" || got[1] != "Accept-Encoding" {
		t.Errorf("first response Vary = %q", got)
	}
	second := serve(h, "GET", "/", "", nil)
	for k, want := range map[string][]string{
		"X-Frame-Options": {"DENY"},
		"Vary":            {"Origin"},
		"Referrer-Policy": {"strict-origin-when-cross-origin"},
	} {
		if got := second.Header().Values(k); len(got) != len(want) || got[0] != want[0] {
			t.Errorf("second response %s = %q, want %q", k, got, want)
		}
	}
}
