package integrations

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const clientSecret = "client-secret-4be2f9"

// fakeProvider is an OAuth2 provider with a profile endpoint and one API
// operation that checks the bearer token.
type fakeProvider struct {
	*httptest.Server
	mu        sync.Mutex
	codes     map[string]string // code -> PKCE challenge
	current   string            // the access token now valid
	n         int
	refreshes int
	email     string
}

func newFakeProvider(t *testing.T) *fakeProvider {
	f := &fakeProvider{codes: map[string]string{}, email: "newbie@example.test"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != "cid" || q.Get("state") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		code := fmt.Sprintf("code-%d", len(f.codes))
		f.codes[code] = q.Get("code_challenge")
		f.mu.Unlock()
		u, _ := url.Parse(q.Get("redirect_uri"))
		rq := u.Query()
		rq.Set("code", code)
		rq.Set("state", q.Get("state"))
		u.RawQuery = rq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Form.Get("client_secret") != clientSecret {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.Form.Get("grant_type") {
		case "authorization_code":
			ch, ok := f.codes[r.Form.Get("code")]
			sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
			if !ok || (ch != "" && base64.RawURLEncoding.EncodeToString(sum[:]) != ch) {
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
				return
			}
			delete(f.codes, r.Form.Get("code"))
			f.n++
			f.current = fmt.Sprintf("access-%d-x7", f.n)
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": f.current, "refresh_token": "refresh-z9", "expires_in": 1, "token_type": "Bearer"})
		case "refresh_token":
			if r.Form.Get("refresh_token") != "refresh-z9" {
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
				return
			}
			f.n++
			f.refreshes++
			f.current = fmt.Sprintf("access-%d-x7", f.n)
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": f.current, "expires_in": 3600, "token_type": "Bearer"})
		}
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		if !f.valid(r) {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"email": f.email, "name": "Newbie"})
	})
	mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": f.valid(r)})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeProvider) valid(r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current != "" && r.Header.Get("Authorization") == "Bearer "+f.current
}

// actionResponses posts an action and returns its responses by type.
func actionResponses(t *testing.T, s *testserver.Server, typ, action string, attrs map[string]any, tok string) (int, map[string]map[string]any) {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/action/"+typ+"/"+action, map[string]any{"attributes": attrs}, tok)
	var list []struct {
		ResponseType string
		Attributes   map[string]any
	}
	_ = json.Unmarshal(r.Body, &list)
	out := map[string]map[string]any{}
	for _, x := range list {
		out[x.ResponseType] = x.Attributes
	}
	return r.Status, out
}

// follow asks the provider to authorise and returns the redirect back.
func follow(t *testing.T, location string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(location)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func oauthConnect(t *testing.T, s *testserver.Server, p *fakeProvider, name string, login bool, admin string) string {
	id, _ := create(t, s, "oauth_connect", map[string]any{"name": name, "client_id": "cid", "client_secret": clientSecret,
		"scope": "email", "auth_url": p.URL + "/authorize", "token_url": p.URL + "/token", "profile_url": p.URL + "/userinfo",
		"profile_email_path": "email", "allow_login": login, "pkce_enabled": true}, admin)
	return id
}

// Connect an account through the OAuth flow (state checked, PKCE), call an
// oauth2 integration with the stored token (refreshed before it expires),
// refuse forged and replayed states, and sign a new user up by OAuth login.
func TestOAuthConnectRefreshAndLogin(t *testing.T) {
	p := newFakeProvider(t)
	s, logs := startServer(t, "", nil)
	admin := s.Admin(t)
	connID := oauthConnect(t, s, p, "fakeid", false, admin)

	status, resp := actionResponses(t, s, "oauth_connect", "oauth_login_begin", map[string]any{"oauth_connect_id": connID}, admin)
	if status != http.StatusOK || resp["client.redirect"] == nil || resp["client.store.set"]["key"] != "secret" {
		t.Fatalf("begin: %d %v", status, resp)
	}
	back := follow(t, resp["client.redirect"]["location"].(string))
	if !strings.HasPrefix(back, s.URL+"/oauth/response?") {
		t.Fatalf("redirect back to %s", back)
	}
	path := strings.TrimPrefix(back, s.URL)
	r := s.Do(t, http.MethodGet, path, nil, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Successfully connected") {
		t.Fatalf("response: %d %s", r.Status, r.Body)
	}
	if r = s.Do(t, http.MethodGet, path, nil, admin); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "invalid or expired OAuth state") {
		t.Errorf("replayed state: %d %s", r.Status, r.Body)
	}
	forged := strings.Replace(path, "state=", "state=x", 1)
	if r = s.Do(t, http.MethodGet, forged, nil, admin); r.Status != http.StatusBadRequest {
		t.Errorf("forged state: %d %s", r.Status, r.Body)
	}
	tokens := listOf(t, s.Do(t, http.MethodGet, "/api/oauth_token", nil, admin))
	if len(tokens) != 1 {
		t.Fatalf("oauth_token rows: %d", len(tokens))
	}
	tok := tokens[0].(map[string]any)
	if strings.Contains(fmt.Sprint(tok), "access-1-x7") || strings.Contains(fmt.Sprint(tok), "refresh-z9") {
		t.Errorf("the token row shows the plain token: %v", tok)
	}

	spec := fmt.Sprintf(`{"openapi":"3.0.3","info":{"title":"me","version":"1"},"servers":[{"url":"%s"}],
"components":{"securitySchemes":{"o":{"type":"oauth2","flows":{"authorizationCode":{"authorizationUrl":"%s/authorize","tokenUrl":"%s/token","scopes":{}}}}}},
"paths":{"/api/me":{"get":{"operationId":"me","responses":{"200":{"description":"ok"}}}}}}`, p.URL, p.URL, p.URL)
	integ, _ := create(t, s, "integration", map[string]any{"name": "meapi", "specification_language": "openapiv3", "specification": spec,
		"authentication_type": "oauth2", "authentication_specification": "{}", "enable": true}, admin)
	if r = s.Do(t, http.MethodPost, "/action/integration/install_integration", map[string]any{"attributes": map[string]any{"integration_id": integ}}, admin); r.Status != http.StatusOK {
		t.Fatalf("install: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, http.MethodPost, "/integration/meapi/me", map[string]any{"oauth_token_id": tok["id"]}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"ok":true`) || p.refreshes != 1 {
		t.Fatalf("call with the refreshed token: %d %s (refreshes %d)", r.Status, r.Body, p.refreshes)
	}
	if r = s.Do(t, http.MethodPost, "/integration/meapi/me", map[string]any{"oauth_token_id": tok["id"]}, admin); !strings.Contains(string(r.Body), `"ok":true`) || p.refreshes != 1 {
		t.Errorf("a fresh token was refreshed again: %s (refreshes %d)", r.Body, p.refreshes)
	}

	// The same connection made through the Databite flow routes.
	r = s.Do(t, http.MethodPost, "/api/flows/start", map[string]any{"integrationId": "meapi", "oauthConnectId": "fakeid"}, admin)
	if r.Status != http.StatusCreated || r.Map(t)["step"] != "oauth" {
		t.Fatalf("oauth flow start: %d %s", r.Status, r.Body)
	}
	sid := r.Map(t)["sessionId"].(string)
	back = follow(t, r.Map(t)["authorizationUrl"].(string))
	fq, _ := url.ParseQuery(strings.SplitN(back, "?", 2)[1])
	if r = s.Do(t, http.MethodPost, "/api/flows/"+sid+"/step", map[string]any{"code": fq.Get("code"), "state": "forged"}, admin); r.Status != http.StatusBadRequest {
		t.Errorf("flow step with a forged state: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, http.MethodPost, "/api/flows/"+sid+"/step", map[string]any{"code": fq.Get("code"), "state": fq.Get("state")}, admin)
	if r.Status != http.StatusOK || r.Map(t)["status"] != "completed" {
		t.Fatalf("oauth flow step: %d %s", r.Status, r.Body)
	}
	flowConn := r.Map(t)["connectionId"].(string)
	if r = s.Do(t, http.MethodPost, "/api/actions/execute/"+flowConn+"/me", map[string]any{}, admin); !strings.Contains(string(r.Body), `"ok":true`) {
		t.Errorf("execute through the OAuth connection: %d %s", r.Status, r.Body)
	}

	// Sign-up by OAuth login, as a guest.
	loginID := oauthConnect(t, s, p, "fakelogin", true, admin)
	status, resp = actionResponses(t, s, "oauth_connect", "oauth_login_begin", map[string]any{"oauth_connect_id": loginID}, "")
	if status != http.StatusOK {
		t.Fatalf("guest begin: %d %v", status, resp)
	}
	back = follow(t, resp["client.redirect"]["location"].(string))
	q, _ := url.ParseQuery(strings.SplitN(back, "?", 2)[1])
	status, resp = actionResponses(t, s, "oauth_token", "oauth.login.response", map[string]any{"code": q.Get("code"),
		"state": q.Get("state"), "authenticator": "fakelogin"}, "")
	if status != http.StatusOK || resp["client.store.set"]["key"] != "token" {
		t.Fatalf("login: %d %v", status, resp)
	}
	userTok := resp["client.store.set"]["value"].(string)
	me := s.Do(t, http.MethodGet, "/api/user_account", nil, userTok)
	if me.Status != http.StatusOK || !strings.Contains(string(me.Body), p.email) {
		t.Fatalf("signed-up user: %d %s", me.Status, me.Body)
	}
	groups := s.Do(t, http.MethodGet, "/api/usergroup", nil, admin)
	if strings.Contains(string(groups.Body), p.email) {
		t.Errorf("a usergroup name carries the e-mail: %s", groups.Body)
	}
	for _, secret := range []string{clientSecret, "refresh-z9", "access-1-x7", "access-2-x7"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs carry %s", secret)
		}
	}
}
