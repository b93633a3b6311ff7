package oauth

import (
	"testing"
	"time"
)

func TestRedirectURIAndExpiry(t *testing.T) {
	now := time.Unix(1000, 0)
	c := New(Options{Now: func() time.Time { return now }, BaseURL: func() string { return "http://127.0.0.1:6336" }})
	tests := []struct {
		redirect, want string
	}{
		{"/oauth/response", "http://127.0.0.1:6336/oauth/response?authenticator=my+app"},
		{"https://example.test/cb", "https://example.test/cb"},
	}
	for _, tc := range tests {
		if got := c.redirectURI(connect{name: "my app", redirect: tc.redirect}); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.redirect, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want int64 }{{0, 0}, {-5, 0}, {3600, 4600}} {
		if got := c.expiry(tokenAnswer{ExpiresIn: tc.in}); got != tc.want {
			t.Errorf("expires_in %d: %d, want %d", tc.in, got, tc.want)
		}
	}
	if hashState("a") == hashState("b") || len(hashState("a")) != 64 {
		t.Error("hashState")
	}
	if random(32) == random(32) {
		t.Error("random repeats")
	}
}
