package clients

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

// TestNonJWTValuesAreGuests: what daptin-client sends before sign-in
// ("Bearer null") and other values that are no JWT at all are no token.
func TestNonJWTValuesAreGuests(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	for i, h := range []string{"Bearer null", "Bearer undefined", "Bearer", "Bearer    ", "bearer null", "Bearer not-a-token"} {
		r := rawDo(t, s, http.MethodGet, "/api/world?page[size]=1", h)
		if r.Status != http.StatusOK {
			t.Errorf("%q on /api/world: %d %s", h, r.Status, r.Body)
		}
		email := "guest" + string(rune('a'+i)) + "@example.test"
		req := action(t, s, "/action/user_account/signup", map[string]any{"name": "G", "email": email,
			"password": "guest-password", "passwordConfirm": "guest-password"}, "")
		if req.Status != http.StatusOK {
			t.Fatalf("signup: %d %s", req.Status, req.Body)
		}
		// The same header on signin still signs in.
		rq, _ := http.NewRequest(http.MethodPost, s.URL+"/action/user_account/signin",
			strings.NewReader(`{"attributes":{"email":"`+email+`","password":"guest-password"}}`))
		rq.Header.Set("Authorization", h)
		rq.Header.Set("Content-Type", "application/json")
		resp, err := s.Client.Do(rq)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%q signin: %v %v", h, err, resp)
		}
		if resp != nil {
			resp.Body.Close()
		}
		if r := rawDo(t, s, http.MethodGet, "/api/user_account/mine", h); r.Status != http.StatusUnauthorized {
			t.Errorf("%q is a guest, /mine must be 401: %d", h, r.Status)
		}
	}
}

// TestFailingJWT: a JWT that fails is a guest on the actions a guest may
// run (so a client holding a stale token can sign in again) and a 401 with
// a Bearer challenge everywhere else.
func TestFailingJWT(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	ctx := context.Background()
	secret, _ := s.Srv.ConfigStore().Get(ctx, resource.ConfigBackend, resource.KeyJWTSecret)
	issuer, _ := s.Srv.ConfigStore().Get(ctx, resource.ConfigBackend, resource.KeyJWTIssuer)
	ref := list(t, s.Do(t, http.MethodGet, "/api/user_account", nil, tok))[0]["id"].(string)
	forge := func(secret, iss, email string, now time.Time, version int64) string {
		tk, _, err := auth.NewIssuer([]byte(secret), iss, time.Hour, func() time.Time { return now }).Issue(email, "Ann", ref, version)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	parts := strings.Split(tok, ".")
	bad := map[string]string{
		"bad signature": parts[0] + "." + parts[1] + ".AAAA",
		"alg none":      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		"expired":       forge(secret, issuer, "ann@example.test", time.Now().Add(-3*time.Hour), 1),
		"wrong issuer":  forge(secret, "someone-else", "ann@example.test", time.Now(), 1),
		"unknown user":  forge(secret, issuer, "nobody@example.test", time.Now(), 1),
		"stale version": forge(secret, issuer, "ann@example.test", time.Now(), 7),
	}
	for name, b := range bad {
		r := s.Do(t, http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
			"email": "ann@example.test", "password": "ann-password"}}, b)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"client.store.set"`) {
			t.Errorf("%s: signin %d %s", name, r.Status, r.Body)
		}
		r = s.Do(t, http.MethodPost, "/api/user_account/action/signin", map[string]any{"attributes": map[string]any{
			"email": "ann@example.test", "password": "wrong-password"}}, b)
		if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("%s: wrong password is the action's own 401, no challenge: %d %q", name, r.Status, r.Header.Get("WWW-Authenticate"))
		}
		for _, path := range []string{"/api/user_account/mine", "/api/world", "/graphql?query={__typename}"} {
			r := s.Do(t, http.MethodGet, path, nil, b)
			if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` ||
				!strings.Contains(string(r.Body), `"status":"401","title":"invalid token"`) {
				t.Errorf("%s on %s: %d %q %s", name, path, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
			}
		}
		// An action guests may not run stays a 401.
		r = s.Do(t, http.MethodPost, "/action/world/become_an_administrator", map[string]any{"attributes": map[string]any{}}, b)
		if r.Status != http.StatusUnauthorized {
			t.Errorf("%s: become_an_administrator %d %s", name, r.Status, r.Body)
		}
	}
	if r := s.Do(t, http.MethodGet, "/api/user_account/mine", nil, tok); r.Status != http.StatusOK {
		t.Errorf("the good token: %d %s", r.Status, r.Body)
	}
}
