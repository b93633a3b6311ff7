package hardening

import (
	"net/http"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// Every answer that carries a token or a secret says Cache-Control:
// no-store: sign-in, token refresh, configuration, exports.
func secretsAreNotCached(t *testing.T, s *testserver.Server, admin string) {
	cases := []struct {
		name, method, path string
		body               any
		token              string
	}{
		{"signin", http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
			"email": "admin@example.test", "password": "admin-password"}}, ""},
		{"failed signin", http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
			"email": "admin@example.test", "password": "wrong"}}, ""},
		{"export", http.MethodPost, "/action/world/export_data", map[string]any{"attributes": map[string]any{"table_name": "user_account"}}, admin},
		{"config", http.MethodGet, "/_config/backend/jwt.token.issuer", nil, admin},
	}
	for _, tc := range cases {
		r := s.Do(t, tc.method, tc.path, tc.body, tc.token)
		if r.Status >= 500 || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q", tc.name, r.Status, r.Header.Get("Cache-Control"))
		}
	}
}
