package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations/memres"
	"github.com/apiary/apiary/resource"
)

// provider is a fake OAuth2 provider: codes map to e-mails; the token
// endpoint checks the client secret and the PKCE verifier; refresh
// tokens give new access tokens.
type provider struct {
	*httptest.Server
	mu         sync.Mutex
	challenges map[string]string // code -> S256 challenge seen at authorise time
	grants     []url.Values
	failToken  bool
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{challenges: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		p.mu.Lock()
		p.grants = append(p.grants, r.PostForm)
		fail, challenge := p.failToken, p.challenges[r.PostForm.Get("code")]
		p.mu.Unlock()
		if fail || r.PostForm.Get("client_secret") != "s3cret" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		if challenge != "" {
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
				return
			}
		}
		access := "at-" + r.PostForm.Get("code")
		if r.PostForm.Get("grant_type") == "refresh_token" {
			access = "at-refreshed"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "refresh_token": "rt-1", "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer at-")
		if tok == "noemail" {
			_ = json.NewEncoder(w).Encode(map[string]any{"name": "Nobody"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "Ann", "account": map[string]any{"email": " " + strings.ToUpper(tok) + "@Example.test"}})
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

// authorise plays the user's browser: it reads the authorisation URL and
// records the code's PKCE challenge; it returns the state.
func (p *provider) authorise(t *testing.T, location, code string) string {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.challenges[code] = u.Query().Get("code_challenge")
	p.mu.Unlock()
	return u.Query().Get("state")
}

type clientEnv struct {
	res  *memres.Res
	c    *Client
	p    *provider
	now  time.Time
	mu   sync.Mutex
	user context.Context
}

func newClientEnv(t *testing.T) *clientEnv {
	t.Helper()
	e := &clientEnv{res: memres.New(), p: newProvider(t), now: time.Unix(1_800_000_000, 0)}
	e.c = New(Options{Res: func() resource.Service { return e.res }, Decrypt: func(s string) (string, error) { return s, nil },
		Now: func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }, BaseURL: func() string { return "http://apiary.test" }})
	e.res.Put(ConnectTable, "conn", map[string]any{"name": "fake", "client_id": "cid", "client_secret": "s3cret", "scope": "email",
		"redirect_uri": "/oauth/response", "auth_url": e.p.URL + "/authorize?x=1", "token_url": e.p.URL + "/token",
		"profile_url": e.p.URL + "/me", "profile_email_path": "account.email", "pkce_enabled": true, "access_type_offline": "1"})
	e.res.Put(ConnectTable, "login", map[string]any{"name": "login", "client_id": "cid", "client_secret": "s3cret",
		"redirect_uri": "https://cb.test", "auth_url": e.p.URL + "/authorize", "token_url": e.p.URL + "/token",
		"profile_url": e.p.URL + "/me", "profile_email_path": "account.email", "allow_login": int64(1)})
	e.user = auth.WithPrincipal(context.Background(), auth.Principal{UserID: 5, UserRef: "u5", Email: "u5@example.test"})
	return e
}

func (e *clientEnv) advance(d time.Duration) { e.mu.Lock(); e.now = e.now.Add(d); e.mu.Unlock() }

func TestBeginAndComplete(t *testing.T) {
	e := newClientEnv(t)
	state, loc, err := e.c.Begin(e.user, "conn")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	q := u.Query()
	if !strings.HasPrefix(loc, e.p.URL+"/authorize?x=1&") || q.Get("client_id") != "cid" || q.Get("state") != state ||
		q.Get("redirect_uri") != "http://apiary.test/oauth/response?authenticator=fake" || q.Get("code_challenge_method") != "S256" ||
		q.Get("access_type") != "offline" || q.Get("scope") != "email" {
		t.Fatalf("authorisation URL %s", loc)
	}
	if rows := e.res.Rows(StateTable); len(rows) != 1 || rows[0].Attrs["state_hash"] != hashState(state) || rows[0].Attrs["code_verifier"] == "" {
		t.Fatalf("state rows %v", rows)
	}
	e.p.authorise(t, loc, "c1")
	res, err := e.c.Complete(e.user, "fake", "c1", state)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.c.AccessToken(e.user, res.TokenRef)
	if err != nil || tok != "at-c1" || res.Login || res.Connected != "fake" {
		t.Fatalf("result %+v, token %q %v", res, tok, err)
	}
	if _, err := e.c.Complete(e.user, "fake", "c1", state); !errors.Is(err, ErrState) {
		t.Errorf("a replayed state: %v", err)
	}
}

func TestStateRefusals(t *testing.T) {
	e := newClientEnv(t)
	other, _, _ := e.c.Begin(e.user, "login")
	expired, _, _ := e.c.Begin(e.user, "conn")
	tests := []struct {
		name, conn, state string
		before            func()
	}{
		{"forged", "fake", "not-a-state", nil},
		{"empty", "fake", "", nil},
		{"another connection's", "fake", other, nil},
		{"unknown connection", "nope", other, nil},
		{"expired", "fake", expired, func() { e.advance(stateTTL + time.Second) }},
	}
	for _, tc := range tests {
		if tc.before != nil {
			tc.before()
		}
		if _, err := e.c.Complete(e.user, tc.conn, "c", tc.state); !errors.Is(err, ErrState) {
			t.Errorf("%s state: %v", tc.name, err)
		}
	}
}

func TestProviderFailures(t *testing.T) {
	e := newClientEnv(t)
	state, loc, _ := e.c.Begin(e.user, "conn")
	e.p.authorise(t, loc, "c2")
	e.p.mu.Lock()
	e.p.challenges["c2"] = "wrong-challenge"
	e.p.mu.Unlock()
	if _, err := e.c.Complete(e.user, "fake", "c2", state); !errors.Is(err, ErrProvider) || !strings.Contains(err.Error(), "400") {
		t.Errorf("a bad PKCE verifier: %v", err)
	}
	state, _, _ = e.c.Begin(e.user, "login")
	if _, err := e.c.Complete(e.user, "login", "noemail", state); !errors.Is(err, ErrProvider) || !strings.Contains(err.Error(), "no e-mail") {
		t.Errorf("a profile without e-mail: %v", err)
	}
	e.res.Put(ConnectTable, "dead", map[string]any{"name": "dead", "client_secret": "s3cret", "token_url": "http://127.0.0.1:1/token"})
	state, _, _ = e.c.Begin(e.user, "dead")
	if _, err := e.c.Complete(e.user, "dead", "c", state); !errors.Is(err, ErrProvider) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("an unreachable token endpoint: %v", err)
	}
	e.res.Put(ConnectTable, "locked", map[string]any{"name": "locked", "client_secret": "bad"})
	if _, _, err := New(Options{Res: func() resource.Service { return e.res }, Decrypt: func(string) (string, error) { return "", errors.New("x") }}).Begin(e.user, "locked"); err == nil ||
		strings.Contains(err.Error(), "bad") {
		t.Errorf("an undecryptable client secret: %v", err)
	}
}

func TestLoginSignsUpThenSignsIn(t *testing.T) {
	e := newClientEnv(t)
	login := func(code string) Result {
		t.Helper()
		state, _, err := e.c.Begin(context.Background(), "login")
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.c.Complete(context.Background(), "login", code, state)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := login("ann")
	users := e.res.Rows("user_account")
	if !first.Login || first.User.Email != "ann@example.test" || len(users) != 1 || users[0].Attrs["name"] != "Ann" || users[0].Attrs["password"] == "" {
		t.Fatalf("sign-up: %+v, users %v", first, users)
	}
	second := login("ann")
	if second.User.UserRef != first.User.UserRef || len(e.res.Rows("user_account")) != 1 {
		t.Errorf("sign-in made another user: %+v", second)
	}
	if tokens := e.res.Rows(TokenTable); len(tokens) != 2 {
		t.Errorf("tokens: %v", tokens)
	}
}

func TestRefresh(t *testing.T) {
	e := newClientEnv(t)
	now := e.now.Unix()
	due := e.res.Put(TokenTable, "", map[string]any{"access_token": "old", "refresh_token": "rt-0", "expires_in": now + 60, "oauth_connect_id": "conn"})
	fresh := e.res.Put(TokenTable, "", map[string]any{"access_token": "keep", "refresh_token": "rt-0", "expires_in": now + 3600, "oauth_connect_id": "conn"})
	e.res.Put(TokenTable, "", map[string]any{"access_token": "forever", "expires_in": 0})
	e.res.Put(TokenTable, "", map[string]any{"access_token": "no-refresh", "expires_in": now + 10})
	for _, tc := range []struct{ ref, want string }{{fresh, "keep"}, {due, "at-refreshed"}} {
		if got, err := e.c.AccessToken(e.user, tc.ref); err != nil || got != tc.want {
			t.Errorf("AccessToken(%s) = %q %v, want %q", tc.ref, got, err, tc.want)
		}
	}
	row, _ := e.res.Get(e.user, TokenTable, due, resource.Query{})
	if row.Attrs["access_token"] != "at-refreshed" || row.Attrs["expires_in"] != now+3600 || row.Attrs["refresh_token"] != "rt-1" {
		t.Errorf("refreshed row %v", row.Attrs)
	}
	e.advance(time.Hour)
	n, err := e.c.RefreshDue(context.Background())
	if err != nil || n != 2 {
		t.Errorf("RefreshDue = %d %v, want the two tokens with refresh tokens", n, err)
	}
	e.p.mu.Lock()
	e.p.failToken = true
	e.p.mu.Unlock()
	e.advance(2 * time.Hour)
	if n, err := e.c.RefreshDue(context.Background()); n != 0 || !errors.Is(err, ErrProvider) {
		t.Errorf("RefreshDue with a failing provider = %d %v", n, err)
	}
}
