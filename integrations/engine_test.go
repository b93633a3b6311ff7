package integrations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/integrations/memres"
	"github.com/apiary/apiary/resource"
)

const whoSpec = `openapi: 3.0.3
info: {title: Who, version: "1"}
servers: [{url: "%s"}]
paths:
  /who:
    get:
      operationId: who
      responses: {"200": {description: ok}}
`

// engineEnv is an Engine over the in-memory resource layer, with an
// upstream that echoes the Authorization header. Stored secrets starting
// "bad:" cannot be decrypted.
type engineEnv struct {
	res *memres.Res
	e   *Engine
	url string
}

func newEngineEnv(t *testing.T) *engineEnv {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"auth": r.Header.Get("Authorization")})
	}))
	t.Cleanup(up.Close)
	res := memres.New()
	e := New(Options{Res: func() resource.Service { return res }, Timeout: time.Second, MaxResponse: 1 << 20,
		Decrypt: func(s string) (string, error) {
			if strings.HasPrefix(s, "bad:") {
				return "", errors.New("no key")
			}
			return s, nil
		},
		Run: func(context.Context, string, string, string, map[string]any) error { return nil }})
	return &engineEnv{res: res, e: e, url: up.URL}
}

func (v *engineEnv) install(t *testing.T, name string) string {
	t.Helper()
	ref := v.res.Put(connector.IntegrationTable, "", map[string]any{"name": name, "enable": true, "authentication_type": "none",
		"specification": fmt.Sprintf(whoSpec, v.url)})
	if _, err := v.e.Providers.Install(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestCallSecrets(t *testing.T) {
	v := newEngineEnv(t)
	integ := v.install(t, "who")
	future := time.Now().Add(time.Hour).Unix()
	tok := v.res.Put(OAuthTokenTable, "", map[string]any{"access_token": "t-oauth", "expires_in": future})
	badTok := v.res.Put(OAuthTokenTable, "", map[string]any{"access_token": "bad:x"})
	cred := func(content string) string {
		return v.res.Put(CredentialTable, "", map[string]any{"name": "c", "content": content})
	}
	user := auth.WithPrincipal(context.Background(), auth.Principal{UserID: 2, UserRef: "u2"})
	denied := v.res.Put(OAuthTokenTable, "", map[string]any{"access_token": "t-other"})
	v.res.Deny[OAuthTokenTable+"/"+denied] = []string{"u2"}
	tests := []struct {
		name string
		ctx  context.Context
		op   string
		sec  Secrets
		auth string // the upstream's Authorization; "" with err set means the call fails
		err  string
	}{
		{"no secrets", user, "who", Secrets{}, "", ""},
		{"oauth token", user, "who", Secrets{OAuthTokenID: tok}, "Bearer t-oauth", ""},
		{"connection config", user, "who", Secrets{CredentialID: cred(`{"config":{"accessToken":"c1"}}`)}, "Bearer c1", ""},
		{"top-level access_token", user, "who", Secrets{CredentialID: cred(`{"access_token":"c2"}`)}, "Bearer c2", ""},
		{"credential borrowing a token", user, "who", Secrets{CredentialID: cred(`{"oauth_token_id":"` + tok + `"}`)}, "Bearer t-oauth", ""},
		{"credential borrowing another user's token", user, "who", Secrets{CredentialID: cred(`{"oauth_token_id":"` + denied + `"}`)}, "", "forbidden"},
		{"another user's token", user, "who", Secrets{OAuthTokenID: denied}, "", "forbidden"},
		{"credential not JSON", user, "who", Secrets{CredentialID: cred(`nope`)}, "", "not a JSON object"},
		{"credential undecryptable", user, "who", Secrets{CredentialID: cred(`bad:zzz`)}, "", "cannot be decrypted"},
		{"token undecryptable", user, "who", Secrets{OAuthTokenID: badTok}, "", "cannot be decrypted"},
		{"missing credential", user, "who", Secrets{CredentialID: "nope"}, "", "not found"},
		{"unknown provider", user, "who", Secrets{}, "", "not installed"},
		{"unknown operation", user, "what", Secrets{}, "", "no operation"},
	}
	for _, tc := range tests {
		provider := "who"
		if tc.name == "unknown provider" {
			provider = "nobody"
		}
		res, err := v.e.Call(tc.ctx, provider, tc.op, nil, tc.sec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := res.Body.(map[string]any)["auth"]; got != tc.auth {
			t.Errorf("%s: upstream saw Authorization %q, want %q", tc.name, got, tc.auth)
		}
	}
	v.res.Deny[connector.IntegrationTable+"/"+integ] = []string{"u2"}
	if _, err := v.e.Call(user, "who", "who", nil, Secrets{}); !errors.Is(err, resource.ErrForbidden) {
		t.Errorf("a caller who cannot read the integration called it: %v", err)
	}
	if _, err := v.e.Call(user, "who", "who", nil, Secrets{OAuthTokenID: "x", CredentialID: "y"}); err == nil {
		t.Error("unknown token accepted")
	}
	for _, sentinel := range []error{ErrNotFound} {
		if _, err := v.e.Call(user, "nobody", "who", nil, Secrets{}); !errors.Is(err, sentinel) {
			t.Errorf("unknown provider: %v", err)
		}
	}
}

func TestRecordsOf(t *testing.T) {
	tests := []struct {
		name string
		res  connector.Result
		n    int
		err  bool
	}{
		{"array", connector.Result{Status: 200, Body: []any{map[string]any{"a": 1.0}, map[string]any{}}}, 2, false},
		{"data", connector.Result{Status: 200, Body: map[string]any{"data": []any{map[string]any{}}}}, 1, false},
		{"items", connector.Result{Status: 200, Body: map[string]any{"items": []any{map[string]any{}, map[string]any{}, map[string]any{}}}}, 3, false},
		{"results", connector.Result{Status: 200, Body: map[string]any{"results": []any{}}}, 0, false},
		{"records", connector.Result{Status: 200, Body: map[string]any{"records": []any{map[string]any{}}}}, 1, false},
		{"non-objects skipped", connector.Result{Status: 200, Body: []any{1.0, "x", map[string]any{}}}, 1, false},
		{"object without a list", connector.Result{Status: 200, Body: map[string]any{"total": 3.0}}, 0, true},
		{"text", connector.Result{Status: 200, Body: "hello"}, 0, true},
		{"upstream error", connector.Result{Status: 500, Body: []any{}}, 0, true},
	}
	for _, tc := range tests {
		recs, err := recordsOf(tc.res)
		if (err != nil) != tc.err || len(recs) != tc.n || (err != nil && !errors.Is(err, ErrRecords)) {
			t.Errorf("%s: %d records, err %v", tc.name, len(recs), err)
		}
	}
}

func TestConnectionOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		attrs map[string]any
		ok    bool
		integ string
	}{
		{"connection", map[string]any{"name": "connection:pets"}, true, "pets"},
		{"plain credential", map[string]any{"name": "my api key"}, false, ""},
		{"no name", map[string]any{}, false, ""},
	} {
		c, ok := ConnectionOf(resource.Row{RefID: "r", Attrs: tc.attrs})
		if ok != tc.ok || c.IntegrationID != tc.integ || (ok && (c.ID != "r" || c.Status != "active")) {
			t.Errorf("%s: %+v %v", tc.name, c, ok)
		}
	}
	v := newEngineEnv(t)
	plain := v.res.Put(CredentialTable, "", map[string]any{"name": "key"})
	if _, err := v.e.Connection(context.Background(), plain); !errors.Is(err, ErrNotFound) {
		t.Errorf("a plain credential read as a connection: %v", err)
	}
}

// The engine follows the integration table: a new enabled row is
// installed, a disabled one removed, a changed spec reinstalled, all
// without Install being called, and the change hook runs each time.
func TestEngineFollowsIntegrationRows(t *testing.T) {
	v := newEngineEnv(t)
	var changes atomic.Int32
	v.e.Providers.OnChange(func() { changes.Add(1) })
	if err := v.e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer v.e.Stop()
	sys := auth.WithPrincipal(context.Background(), auth.System())
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	row, err := v.res.Create(sys, connector.IntegrationTable, resource.Input{Attributes: map[string]any{"name": "live", "enable": true,
		"specification": fmt.Sprintf(whoSpec, v.url)}})
	if err != nil {
		t.Fatal(err)
	}
	wait("the new row to be installed", func() bool { _, ok := v.e.Providers.Get("live"); return ok })
	spec2 := strings.Replace(fmt.Sprintf(whoSpec, v.url), "operationId: who", "operationId: whoNow", 1)
	_, _ = v.res.Update(sys, connector.IntegrationTable, row.RefID, resource.Input{Attributes: map[string]any{"specification": spec2}})
	wait("the changed spec", func() bool { _, ok := v.e.Providers.FindOperation("whoNow"); return ok })
	_, _ = v.res.Update(sys, connector.IntegrationTable, row.RefID, resource.Input{Attributes: map[string]any{"specification": "{{"}})
	time.Sleep(100 * time.Millisecond)
	if _, ok := v.e.Providers.FindOperation("whoNow"); !ok {
		t.Error("a broken spec removed the working installation")
	}
	_, _ = v.res.Update(sys, connector.IntegrationTable, row.RefID, resource.Input{Attributes: map[string]any{"enable": false}})
	wait("the disabled row to go", func() bool { _, ok := v.e.Providers.Get("live"); return !ok })
	if n := changes.Load(); n < 3 {
		t.Errorf("change hook ran %d times", n)
	}
	_, _ = v.res.Update(sys, connector.IntegrationTable, row.RefID, resource.Input{Attributes: map[string]any{"enable": true, "specification": spec2}})
	wait("the re-enabled row", func() bool { _, ok := v.e.Providers.Get("live"); return ok })
	_ = v.res.Delete(sys, connector.IntegrationTable, row.RefID)
	wait("the deleted row to go", func() bool { return len(v.e.Providers.List()) == 0 })
}
