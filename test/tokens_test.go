package test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// serviceClient creates a service_client row as an administrator and
// returns its reference id.
func serviceClient(t *testing.T, s *testserver.Server, admin, clientID, secret, scopes string, enable bool) string {
	t.Helper()
	return create(t, s, admin, "service_client", map[string]any{"name": clientID + " client", "client_id": clientID,
		"client_secret": secret, "scopes": scopes, "enable": enable}, nil)
}

// tokenRequest is a JSON /token body.
func tokenRequest(clientID, secret string, scopes []string, claims map[string]any) map[string]any {
	m := map[string]any{"grant_type": "client_credentials", "client_id": clientID, "client_secret": secret}
	if scopes != nil {
		m["scopes"] = scopes
	}
	if claims != nil {
		m["claims"] = claims
	}
	return m
}

// jwtPayload decodes the claims of a token without checking it.
func jwtPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestServiceTokenIssue(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	ref := serviceClient(t, s, admin, "reporter", "reporter-secret-1", "ACCESS_DB, GLOBAL_READ", true)

	// The secret is stored hashed and never shown.
	if r := s.Do(t, http.MethodGet, "/api/service_client/"+ref, nil, admin); attrs(dataOf(t, r))["client_secret"] != "" {
		t.Errorf("client_secret shown: %s", r.Body)
	}

	before := time.Now()
	r := s.Do(t, http.MethodPost, "/token", tokenRequest("reporter", "reporter-secret-1", []string{"ACCESS_DB", "GLOBAL_READ"}, nil), "")
	if r.Status != http.StatusOK {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", r.Header)
	}
	m := r.Map(t)
	if m["type"] != "tokens" || m["userType"] != "client" || !reflect.DeepEqual(m["claims"], map[string]any{"sub": "reporter", "license": "ok", "scopes": []any{"ACCESS_DB", "GLOBAL_READ"}}) {
		t.Errorf("answer %s", r.Body)
	}
	exp, _ := m["accessTokenExpiration"].(float64)
	if got := time.UnixMilli(int64(exp)); got.Before(before.Add(time.Hour-time.Minute)) || got.After(time.Now().Add(time.Hour+time.Minute)) {
		t.Errorf("accessTokenExpiration %v, want about an hour from now", got)
	}
	tok, _ := m["accessToken"].(string)
	claims := jwtPayload(t, tok)
	if claims["client_id"] != "reporter" || !reflect.DeepEqual(claims["scopes"], []any{"ACCESS_DB", "GLOBAL_READ"}) ||
		claims["exp"].(float64)-claims["iat"].(float64) != 3600 || claims["email"] != nil || claims["sub"] != nil {
		t.Errorf("claims %v", claims)
	}

	// No scopes asked: every granted scope. A scope string works too.
	r = s.Do(t, http.MethodPost, "/token", tokenRequest("reporter", "reporter-secret-1", nil, nil), "")
	if r.Status != http.StatusOK || !reflect.DeepEqual(r.Map(t)["claims"].(map[string]any)["scopes"], []any{"ACCESS_DB", "GLOBAL_READ"}) {
		t.Errorf("default scopes: %d %s", r.Status, r.Body)
	}
	body := tokenRequest("reporter", "reporter-secret-1", nil, nil)
	body["scope"] = "global_read"
	r = s.Do(t, http.MethodPost, "/token", body, "")
	if r.Status != http.StatusOK || !reflect.DeepEqual(r.Map(t)["claims"].(map[string]any)["scopes"], []any{"GLOBAL_READ"}) {
		t.Errorf("scope string: %d %s", r.Status, r.Body)
	}
}

func TestServiceTokenFormAndBasic(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	serviceClient(t, s, admin, "formy", "formy-secret", "ACCESS_DB", true)
	post := func(form url.Values, user, pw string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/token", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pw)
		}
		resp, err := s.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, b := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"formy"}, "client_secret": {"formy-secret"},
		"scope": {"ACCESS_DB"}}, "", ""); st != http.StatusOK || !strings.Contains(b, `"accessToken"`) {
		t.Errorf("form: %d %s", st, b)
	}
	if st, b := post(url.Values{"grant_type": {"client_credentials"}}, "formy", "formy-secret"); st != http.StatusOK {
		t.Errorf("basic: %d %s", st, b)
	}
	if st, b := post(url.Values{"grant_type": {"client_credentials"}}, "formy", "wrong"); st != http.StatusUnauthorized {
		t.Errorf("basic, wrong secret: %d %s", st, b)
	}
}

func TestServiceTokenRefusals(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	serviceClient(t, s, admin, "limited", "limited-secret", "ACCESS_DB GLOBAL_READ", true)
	serviceClient(t, s, admin, "off", "off-secret", "ACCESS_DB", false)
	badGrant := tokenRequest("limited", "limited-secret", nil, nil)
	badGrant["grant_type"] = "password"
	noGrant := tokenRequest("limited", "limited-secret", nil, nil)
	delete(noGrant, "grant_type")
	scenarios := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"wrong secret", tokenRequest("limited", "nope", nil, nil), http.StatusUnauthorized, "invalid_client"},
		{"unknown client", tokenRequest("nobody", "limited-secret", nil, nil), http.StatusUnauthorized, "invalid_client"},
		{"disabled client", tokenRequest("off", "off-secret", nil, nil), http.StatusUnauthorized, "invalid_client"},
		{"unsupported grant", badGrant, http.StatusBadRequest, "unsupported_grant_type"},
		{"missing grant", noGrant, http.StatusBadRequest, "invalid_request"},
		{"missing secret", tokenRequest("limited", "", nil, nil), http.StatusBadRequest, "invalid_request"},
		{"scope not granted", tokenRequest("limited", "limited-secret", []string{"GLOBAL_WRITE"}, nil), http.StatusBadRequest, "invalid_scope"},
		{"unknown scope", tokenRequest("limited", "limited-secret", []string{"ROOT"}, nil), http.StatusBadRequest, "invalid_scope"},
		{"impersonation without IMPERSONATE", tokenRequest("limited", "limited-secret", []string{"ACCESS_DB"},
			map[string]any{"email": "admin@example.test"}), http.StatusForbidden, "unauthorized_client"},
		{"not JSON", "{grant_type", http.StatusBadRequest, "invalid_request"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := s.Do(t, http.MethodPost, "/token", sc.body, "")
			if r.Status != sc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, sc.status)
			}
			m := r.Map(t)
			if m["error"] != sc.code || m["accessToken"] != nil {
				t.Errorf("body %s, want error %s", r.Body, sc.code)
			}
		})
	}
	// An unknown id and a wrong secret are indistinguishable.
	a := s.Do(t, http.MethodPost, "/token", tokenRequest("limited", "nope", nil, nil), "")
	b := s.Do(t, http.MethodPost, "/token", tokenRequest("nobody", "nope", nil, nil), "")
	if string(a.Body) != string(b.Body) {
		t.Errorf("answers differ: %s vs %s", a.Body, b.Body)
	}
}

func TestServiceTokenImpersonation(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	bobRef, _ := jwtPayload(t, bob)["sub"].(string)
	serviceClient(t, s, admin, "sync", "sync-secret", "ACCESS_DB IMPERSONATE", true)

	for _, claims := range []map[string]any{{"email": "BOB@example.test"}, {"sub": bobRef}, {"sub": bobRef, "email": "bob@example.test", "name": "ignored"}} {
		r := s.Do(t, http.MethodPost, "/token", tokenRequest("sync", "sync-secret", []string{"ACCESS_DB"}, claims), "")
		if r.Status != http.StatusOK {
			t.Fatalf("claims %v: %d %s", claims, r.Status, r.Body)
		}
		tok, _ := r.Map(t)["accessToken"].(string)
		c := jwtPayload(t, tok)
		if c["email"] != "bob@example.test" || c["sub"] != bobRef || c["name"] != "Bob" || c["client_id"] != "sync" || c["auth_version"] == nil {
			t.Errorf("claims %v", c)
		}
		// The token acts as Bob.
		mine := s.Do(t, http.MethodGet, "/api/user_account/mine", nil, tok)
		if mine.Status != http.StatusOK || attrs(dataOf(t, mine))["email"] != "bob@example.test" {
			t.Errorf("mine with impersonation token: %d %s", mine.Status, mine.Body)
		}
	}
	for name, claims := range map[string]map[string]any{
		"unknown email": {"email": "nobody@example.test"},
		"unknown sub":   {"sub": "01a20779-dcf7-78c4-931a-2d55f754f508"},
		"malformed sub": {"sub": "bob"},
		"no user":       {"name": "Bob"},
		"odd claim":     {"email": "bob@example.test", "role": "admin"},
		"mismatch":      {"sub": bobRef, "email": "admin@example.test"},
	} {
		r := s.Do(t, http.MethodPost, "/token", tokenRequest("sync", "sync-secret", nil, claims), "")
		if r.Status != http.StatusBadRequest || r.Map(t)["error"] != "invalid_request" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

func TestServiceTokenScopesAtWork(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	serviceClient(t, s, admin, "reader", "reader-secret", "ACCESS_DB GLOBAL_READ", true)
	token := func(scopes ...string) string {
		r := s.Do(t, http.MethodPost, "/token", tokenRequest("reader", "reader-secret", scopes, nil), "")
		if r.Status != http.StatusOK {
			t.Fatalf("token: %d %s", r.Status, r.Body)
		}
		return r.Map(t)["accessToken"].(string)
	}
	reader, plain := token("ACCESS_DB", "GLOBAL_READ"), token("ACCESS_DB")

	if r := s.Do(t, http.MethodGet, "/api/service_client", nil, reader); len(listOf(t, r)) != 1 {
		t.Errorf("GLOBAL_READ list: %s", r.Body)
	}
	// Without GLOBAL_READ the rows stay hidden (a 403 from the table gate
	// or an empty page, as for any caller outside administrators).
	if r := s.Do(t, http.MethodGet, "/api/service_client", nil, plain); r.Status != http.StatusForbidden && len(listOf(t, r)) != 0 {
		t.Errorf("ACCESS_DB-only list: %d %s", r.Status, r.Body)
	}
	r := s.Do(t, http.MethodPost, "/api/service_client", doc("service_client", map[string]any{"name": "x", "client_id": "x",
		"client_secret": "x-secret", "scopes": "IMPERSONATE"}, nil), reader)
	if r.Status != http.StatusForbidden {
		t.Errorf("GLOBAL_READ create: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/api/user_account/mine", nil, reader); r.Status != http.StatusUnauthorized {
		t.Errorf("service token has an account: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/_config", nil, reader); r.Status < 400 {
		t.Errorf("service token reached /_config: %d", r.Status)
	}
}
