package test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

func action(t *testing.T, s *testserver.Server, path string, attrs map[string]any, tok string) testserver.Response {
	t.Helper()
	return s.Do(t, http.MethodPost, path, map[string]any{"attributes": attrs}, tok)
}

func notifyMessage(t *testing.T, r testserver.Response) string {
	t.Helper()
	list, ok := r.JSON(t).([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("not an action answer: %s", r.Body)
	}
	a := list[0].(map[string]any)["Attributes"].(map[string]any)
	return a["message"].(string)
}

func emails(t *testing.T, r testserver.Response) []string {
	t.Helper()
	var out []string
	for _, row := range listOf(t, r) {
		out = append(out, attrs(row)["email"].(string))
	}
	sort.Strings(out)
	return out
}

func TestSignupAndSignin(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	signup := func(name, email, pw, confirm string) testserver.Response {
		return action(t, s, "/action/user_account/signup", map[string]any{"name": name, "email": email, "password": pw, "passwordConfirm": confirm}, "")
	}
	r := signup("Alice Admin", "alice@example.com", "alicepass123", "alicepass123")
	const okBody = `[{"ResponseType":"client.notify","Attributes":{"__type":"client.notify","message":"Sign-up successful. Redirecting to sign in","title":"Success","type":"success"}},{"ResponseType":"client.redirect","Attributes":{"__type":"client.redirect","delay":2000,"location":"/auth/signin","window":"self"}}]`
	if r.Status != 200 || strings.TrimSpace(string(r.Body)) != okBody {
		t.Fatalf("signup answer differs from Daptin's:\n%d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		name, email, pw, confirm string
		status                   int
		msg                      string
	}{
		{"Shorty", "shorty@example.com", "short12", "short12", 400, "invalid value for password"},
		{"Mismatch", "mm@example.com", "alicepass123", "alicepass124", 400, "eqfield"},
		{"Bad", "not-an-email", "alicepass123", "alicepass123", 400, "invalid value for email"},
		{"", "noname@example.com", "alicepass123", "alicepass123", 400, "invalid value for name"},
		{"Alice Again", "ALICE@example.com", "alicepass123", "alicepass123", 409, "already exists"},
	} {
		r := signup(c.name, c.email, c.pw, c.confirm)
		if r.Status != c.status || !strings.Contains(notifyMessage(t, r), c.msg) {
			t.Errorf("signup %s: %d %s", c.email, r.Status, r.Body)
		}
	}
	// Sign-up put Alice in "users" and made no personal group (as Daptin).
	alice := s.SignIn(t, "alice@example.com", "alicepass123")
	groups := listOf(t, s.Do(t, http.MethodGet, "/api/user_account/"+me(t, s, alice)+"/usergroup_id", nil, alice))
	var names []string
	for _, g := range groups {
		names = append(names, attrs(g)["name"].(string))
	}
	sort.Strings(names)
	if len(names) != 1 || names[0] != "users" {
		t.Errorf("alice's groups: %v", names)
	}
	if r := s.Do(t, http.MethodPost, "/action/user_account/signup", "", ""); r.Status != 400 {
		t.Errorf("empty signup body: %d %s", r.Status, r.Body)
	}

	r = action(t, s, "/action/user_account/signin", map[string]any{"email": "alice@example.com", "password": "alicepass123"}, "")
	if r.Status != 200 {
		t.Fatalf("signin: %d %s", r.Status, r.Body)
	}
	var answer []struct {
		ResponseType string
		Attributes   map[string]any
	}
	if err := json.Unmarshal(r.Body, &answer); err != nil || len(answer) != 4 {
		t.Fatalf("signin answer: %s", r.Body)
	}
	types := []string{answer[0].ResponseType, answer[1].ResponseType, answer[2].ResponseType, answer[3].ResponseType}
	if strings.Join(types, ",") != "client.store.set,client.cookie.set,client.notify,client.redirect" {
		t.Errorf("signin response types %v", types)
	}
	tok := answer[0].Attributes["value"].(string)
	if answer[0].Attributes["key"] != "token" || answer[1].Attributes["value"] != tok+"; SameSite=Strict" || answer[2].Attributes["message"] != "Logged in" {
		t.Errorf("signin attributes %v", answer)
	}
	parts := strings.Split(tok, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("JWT header %s", header)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	var keys []string
	for k := range claims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "auth_version,email,exp,iat,iss,jti,name,nbf,sub" {
		t.Errorf("JWT claims %v", keys)
	}
	if life := claims["exp"].(float64) - claims["iat"].(float64); life != 72*3600 {
		t.Errorf("JWT lifetime %v s", life)
	}
	if claims["sub"] != me(t, s, tok) {
		t.Errorf("sub %v is not the user's reference id", claims["sub"])
	}

	wrong := action(t, s, "/action/user_account/signin", map[string]any{"email": "alice@example.com", "password": "nope-nope"}, "")
	unknown := action(t, s, "/action/user_account/signin", map[string]any{"email": "nobody@example.com", "password": "nope-nope"}, "")
	missing := action(t, s, "/action/user_account/signin", map[string]any{}, "")
	for _, r := range []testserver.Response{wrong, unknown, missing} {
		if r.Status != 401 || notifyMessage(t, r) != "Invalid username or password" {
			t.Errorf("failed signin: %d %s", r.Status, r.Body)
		}
	}
	// The /api/{type}/action/{name} route form runs the same action.
	if r := action(t, s, "/api/user_account/action/signin", map[string]any{"email": "alice@example.com", "password": "alicepass123"}, ""); r.Status != 200 {
		t.Errorf("/api/user_account/action/signin: %d %s", r.Status, r.Body)
	}
	// Form-encoded bodies work too, as in Daptin.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/action/user_account/signin", strings.NewReader("email=alice%40example.com&password=alicepass123"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := s.Client.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("form signin: %v %v", err, resp)
	}
}

func TestSeedFlowAndLockDown(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_perm.yaml", permSchema))
	alice := s.User(t, "Alice", "alice@example.test", "alice-password")
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	// Fresh instance: everything is open, a guest lists the users.
	if got := emails(t, s.Do(t, http.MethodGet, "/api/user_account", nil, "")); len(got) != 2 {
		t.Errorf("guest on a fresh instance sees %v", got)
	}
	// A second user may not become administrator while... the first call wins.
	if r := action(t, s, "/action/world/become_an_administrator", nil, ""); r.Status != 401 {
		t.Errorf("guest become admin: %d %s", r.Status, r.Body)
	}
	r := action(t, s, "/action/world/become_an_administrator", nil, alice)
	if r.Status != 200 || strings.TrimSpace(string(r.Body)) != `[{"ResponseType":"client.redirect","Attributes":{"delay":7000,"location":"/","window":"self"}},{"ResponseType":"Restart","Attributes":null}]` {
		t.Fatalf("become admin: %d %s", r.Status, r.Body)
	}
	if r := action(t, s, "/action/world/become_an_administrator", nil, bob); r.Status != 403 {
		t.Errorf("second become admin: %d %s", r.Status, r.Body)
	}
	// Locked down: guests see no users, the admin sees all, bob only himself.
	if got := emails(t, s.Do(t, http.MethodGet, "/api/user_account", nil, "")); len(got) != 0 {
		t.Errorf("guest after lock-down sees %v", got)
	}
	if got := emails(t, s.Do(t, http.MethodGet, "/api/user_account", nil, alice)); len(got) != 3 {
		t.Errorf("admin sees %v", got)
	}
	if got := emails(t, s.Do(t, http.MethodGet, "/api/user_account", nil, bob)); len(got) != 1 || got[0] != "bob@example.test" {
		t.Errorf("bob sees %v", got)
	}
	if n := len(listOf(t, s.Do(t, http.MethodGet, "/api/world", nil, ""))); n != 0 {
		t.Errorf("guest sees %d world rows", n)
	}
	// Sign-up stays open; the new user's row is locked at once (no restart).
	carol := s.User(t, "Carol", "carol@example.test", "carol-password")
	if got := emails(t, s.Do(t, http.MethodGet, "/api/user_account", nil, carol)); len(got) != 1 {
		t.Errorf("carol sees %v", got)
	}
	row := dataOf(t, s.Do(t, http.MethodGet, "/api/user_account/mine", nil, carol))
	if attrs(row)["permission"] != float64(561441) {
		t.Errorf("carol's row permission %v, want 561441", attrs(row)["permission"])
	}
	// Plain users cannot create until an admin opens the table; then each
	// sees only their own rows.
	if r := s.Do(t, http.MethodPost, "/api/doc", doc("doc", map[string]any{"title": "b"}, nil), bob); r.Status != 403 {
		t.Errorf("bob create before opening: %d", r.Status)
	}
	mustPatch(t, s, alice, "world", worldID(t, s, alice, "doc"), map[string]any{"permission": 561441 | 4})
	create(t, s, bob, "doc", map[string]any{"title": "bob's"}, nil)
	create(t, s, carol, "doc", map[string]any{"title": "carol's"}, nil)
	for tok, want := range map[string]string{bob: "bob's", carol: "carol's"} {
		rows := listOf(t, s.Do(t, http.MethodGet, "/api/doc", nil, tok))
		if len(rows) != 1 || attrs(rows[0])["title"] != want {
			t.Errorf("own rows: %v", rows)
		}
	}
	if n := len(listOf(t, s.Do(t, http.MethodGet, "/api/doc", nil, alice))); n != 2 {
		t.Errorf("admin sees %d docs", n)
	}
}

func TestTokenHandling(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	ctx := context.Background()
	secret, _ := s.Srv.ConfigStore().Get(ctx, resource.ConfigBackend, resource.KeyJWTSecret)
	issuer, _ := s.Srv.ConfigStore().Get(ctx, resource.ConfigBackend, resource.KeyJWTIssuer)
	ref := me(t, s, tok)
	forge := func(secret, iss string, now time.Time) string {
		tk, _, err := auth.NewIssuer([]byte(secret), iss, time.Hour, func() time.Time { return now }).Issue("ann@example.test", "Ann", ref, 1)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "ann@", "bob@", 1))) + "." + parts[2]
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	// A value that is not a JWT at all is no token (test/clients covers it).
	for name, bad := range map[string]string{
		"bad signature": parts[0] + "." + parts[1] + ".AAAA",
		"tampered":      tampered,
		"alg none":      none,
		"wrong secret":  forge("some-other-secret-0123456789abcd", issuer, time.Now()),
		"wrong issuer":  forge(secret, "someone-else", time.Now()),
		"expired":       forge(secret, issuer, time.Now().Add(-3*time.Hour)),
		"not yet valid": forge(secret, issuer, time.Now().Add(2*time.Hour)),
	} {
		r := s.Do(t, http.MethodGet, "/api/user_account", nil, bad)
		if r.Status != 401 {
			t.Errorf("%s token: %d %s", name, r.Status, r.Body)
		}
	}
	if r := s.Do(t, http.MethodGet, "/api/user_account/mine", nil, forge(secret, issuer, time.Now())); r.Status != 200 {
		t.Errorf("well-forged token: %d %s", r.Status, r.Body)
	}
	// The token also travels as ?token= and as the token cookie.
	if r := s.Do(t, http.MethodGet, "/api/user_account/mine?token="+tok, nil, ""); r.Status != 200 {
		t.Errorf("?token=: %d", r.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/user_account/mine", nil)
	req.AddCookie(&http.Cookie{Name: "token", Value: tok})
	if resp, err := s.Client.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("cookie token: %v %v", err, resp)
	}
	// Changing the password revokes earlier tokens.
	mustPatch(t, s, tok, "user_account", ref, map[string]any{"password": "new-password-1"})
	if r := s.Do(t, http.MethodGet, "/api/user_account/mine", nil, tok); r.Status != 401 {
		t.Errorf("token after password change: %d", r.Status)
	}
	if fresh := s.SignIn(t, "ann@example.test", "new-password-1"); fresh == "" {
		t.Error("no token with the new password")
	}
}
