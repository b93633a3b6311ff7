package test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// TestConfigAPIAccess: only administrators reach /_config; guests get a
// JSON:API 401 and other users a JSON:API 403 (Daptin: empty 403 for both).
func TestConfigAPIAccess(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	user := s.User(t, "Bob", "bob@example.test", "bob-password")
	scenarios := []struct {
		name, method, path string
		body               any
		token              string
		status             int
	}{
		{"guest lists", http.MethodGet, "/_config", nil, "", http.StatusUnauthorized},
		{"guest reads", http.MethodGet, "/_config/backend/graphql.enable", nil, "", http.StatusUnauthorized},
		{"guest writes", http.MethodPost, "/_config/backend/graphql.enable", "true", "", http.StatusUnauthorized},
		{"guest deletes", http.MethodDelete, "/_config/backend/graphql.enable", nil, "", http.StatusUnauthorized},
		{"user lists", http.MethodGet, "/_config", nil, user, http.StatusForbidden},
		{"user reads", http.MethodGet, "/_config/backend/graphql.enable", nil, user, http.StatusForbidden},
		{"user writes", http.MethodPut, "/_config/backend/graphql.enable", "true", user, http.StatusForbidden},
		{"user deletes", http.MethodDelete, "/_config/backend/graphql.enable", nil, user, http.StatusForbidden},
		{"admin reads", http.MethodGet, "/_config/backend/graphql.enable", nil, admin, http.StatusOK},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := s.Do(t, sc.method, sc.path, sc.body, sc.token)
			if r.Status != sc.status {
				t.Fatalf("%s %s: %d %s, want %d", sc.method, sc.path, r.Status, r.Body, sc.status)
			}
			if sc.status >= 400 {
				if ct := r.Header.Get("Content-Type"); ct != "application/vnd.api+json" {
					t.Errorf("error Content-Type %q", ct)
				}
				_ = errorTitle(t, r)
			}
		})
	}
	// Nothing a refused caller sent was stored.
	if r := s.Do(t, http.MethodGet, "/_config/backend/graphql.enable", nil, admin); string(r.Body) != "false" {
		t.Errorf("graphql.enable = %q after refused writes, want false", r.Body)
	}
}

func TestConfigAPIReadWriteDelete(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)

	r := s.Do(t, http.MethodGet, "/_config/backend/graphql.enable", nil, admin)
	if r.Status != http.StatusOK || string(r.Body) != "false" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("get default: %d %q %q", r.Status, r.Body, r.Header.Get("Content-Type"))
	}

	// POST, PUT and PATCH all store the raw body; the newest value wins.
	for _, step := range []struct{ method, value string }{
		{http.MethodPost, "first value"},
		{http.MethodPut, `{"json": "kept as text"}`},
		{http.MethodPatch, "third\nvalue"},
	} {
		r = s.Do(t, step.method, "/_config/web/apiary.test.key", step.value, admin)
		if r.Status != http.StatusOK || len(r.Body) != 0 {
			t.Fatalf("%s: %d %q, want 200 and an empty body", step.method, r.Status, r.Body)
		}
		r = s.Do(t, http.MethodGet, "/_config/web/apiary.test.key", nil, admin)
		if r.Status != http.StatusOK || string(r.Body) != step.value {
			t.Fatalf("after %s: %d %q, want %q", step.method, r.Status, r.Body, step.value)
		}
	}
	// An empty body stores an empty value (the key exists).
	if r = s.Do(t, http.MethodPost, "/_config/web/apiary.empty", "", admin); r.Status != http.StatusOK {
		t.Fatalf("empty set: %d %s", r.Status, r.Body)
	}
	if r = s.Do(t, http.MethodGet, "/_config/web/apiary.empty", nil, admin); r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Fatalf("empty get: %d %q", r.Status, r.Body)
	}

	all := s.Do(t, http.MethodGet, "/_config", nil, admin)
	if all.Status != http.StatusOK || !strings.HasPrefix(all.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("list: %d %s", all.Status, all.Body)
	}
	m := all.Map(t)
	if m["apiary.test.key"] != "third\nvalue" || m["graphql.enable"] != "false" || m["jwt.token.life.hours"] != "72" {
		t.Errorf("list lacks keys: %s", all.Body)
	}

	if r = s.Do(t, http.MethodDelete, "/_config/web/apiary.test.key", nil, admin); r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Fatalf("delete: %d %q", r.Status, r.Body)
	}
	if r = s.Do(t, http.MethodGet, "/_config/web/apiary.test.key", nil, admin); r.Status != http.StatusNotFound {
		t.Fatalf("get after delete: %d %q", r.Status, r.Body)
	}
	if _, ok := s.Do(t, http.MethodGet, "/_config", nil, admin).Map(t)["apiary.test.key"]; ok {
		t.Error("deleted key still listed")
	}
}

func TestConfigAPISecretsAreWriteOnly(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	for _, key := range []string{"jwt.secret", "encryption.secret"} {
		r := s.Do(t, http.MethodGet, "/_config/backend/"+key, nil, admin)
		if r.Status != http.StatusForbidden || !strings.Contains(errorTitle(t, r), "write-only") {
			t.Errorf("GET %s: %d %s, want 403 write-only", key, r.Status, r.Body)
		}
	}
	m := s.Do(t, http.MethodGet, "/_config", nil, admin).Map(t)
	for _, key := range []string{"jwt.secret", "encryption.secret"} {
		if _, ok := m[key]; ok {
			t.Errorf("GET /_config shows %s", key)
		}
	}
	if len(m) < 10 {
		t.Errorf("GET /_config lists only %d keys", len(m))
	}
	// A secret can be written (in the web namespace here, so the live
	// signing key stays as it is) but still not read back.
	if r := s.Do(t, http.MethodPost, "/_config/web/jwt.secret", "s3cret-value", admin); r.Status != http.StatusOK {
		t.Fatalf("set secret: %d %s", r.Status, r.Body)
	}
	r := s.Do(t, http.MethodGet, "/_config/web/jwt.secret", nil, admin)
	if r.Status != http.StatusForbidden || strings.Contains(string(r.Body), "s3cret-value") {
		t.Errorf("GET written secret: %d %s", r.Status, r.Body)
	}
	if all := s.Do(t, http.MethodGet, "/_config", nil, admin); strings.Contains(string(all.Body), "s3cret-value") {
		t.Errorf("GET /_config leaks the written secret: %s", all.Body)
	}
}

func TestConfigAPIErrors(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	scenarios := []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"missing key", http.MethodGet, "/_config/backend/no.such.key", nil, http.StatusNotFound},
		{"missing segment get", http.MethodGet, "/_config/backend", nil, http.StatusBadRequest},
		{"missing segment post", http.MethodPost, "/_config/backend/", "x", http.StatusBadRequest},
		{"key too long", http.MethodPost, "/_config/backend/" + strings.Repeat("k", 101), "x", http.StatusBadRequest},
		{"body over 1 MiB", http.MethodPost, "/_config/web/big", strings.Repeat("x", 1<<20+1), http.StatusRequestEntityTooLarge},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := s.Do(t, sc.method, sc.path, sc.body, admin)
			if r.Status != sc.status {
				t.Fatalf("%s %s: %d %s, want %d", sc.method, sc.path, r.Status, r.Body, sc.status)
			}
			_ = errorTitle(t, r)
		})
	}
	if r := s.Do(t, http.MethodGet, "/_config/web/big", nil, admin); r.Status != http.StatusNotFound {
		t.Errorf("an oversized value was stored: %d", r.Status)
	}
	// A large value within the limit round-trips (60 KiB: MySQL's TEXT
	// column holds at most 64 KiB).
	big := strings.Repeat("y", 60<<10)
	if r := s.Do(t, http.MethodPut, "/_config/web/big", big, admin); r.Status != http.StatusOK {
		t.Fatalf("60 KiB value: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/_config/web/big", nil, admin); string(r.Body) != big {
		t.Errorf("60 KiB value read back as %d bytes", len(r.Body))
	}
}
