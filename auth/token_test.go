package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTokenFromRequest(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		method string
		url    string
		auth   string
		cookie string
		want   string
	}{
		{"nothing", "GET", "/api/todo", "", "", ""},
		{"bearer", "GET", "/api/todo", "Bearer abc.def.ghi", "", "abc.def.ghi"},
		{"bearer lower-case scheme", "GET", "/api/todo", "bearer abc", "", "abc"},
		{"bearer wins over query and cookie", "GET", "/api/todo?token=q", "Bearer h", "c", "h"},
		{"basic makes anonymous", "GET", "/api/todo?token=q", "Basic YTpi", "c", ""},
		{"bearer without token", "GET", "/api/todo?token=q", "Bearer", "c", ""},
		{"bearer with blank token", "GET", "/api/todo?token=q", "Bearer   ", "c", ""},
		{"token alone", "GET", "/api/todo?token=q", "abc.def.ghi", "c", ""},
		{"query", "GET", "/api/todo?token=q", "", "c", "q"},
		{"empty query falls to cookie", "GET", "/api/todo?token=", "", "c", "c"},
		{"cookie", "POST", "/action/user_account/signin", "", "c", "c"},
		{"options never authenticated", "OPTIONS", "/api/todo?token=q", "Bearer h", "c", ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(s.method, s.url, nil)
			if s.auth != "" {
				r.Header.Set("Authorization", s.auth)
			}
			if s.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "token", Value: s.cookie})
			}
			if got := TokenFromRequest(r); got != s.want {
				t.Errorf("TokenFromRequest = %q, want %q", got, s.want)
			}
		})
	}
	if got := TokenFromRequest(nil); got != "" {
		t.Errorf("nil request gives %q", got)
	}
}
