package httpmw

import (
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
