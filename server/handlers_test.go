package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

func TestActionHandlerAnswers(t *testing.T) {
	s := unitServer(t, nil, func(c *Config) { c.HTTP.MaxBodyBytes = 256 })
	cases := []struct {
		name, method, path, body string
		status                   int
		contains                 string
	}{
		{"unknown action", "POST", "/action/world/no_such_action", `{}`, http.StatusNotFound, "no_such_action"},
		{"bad json", "POST", "/action/user_account/signin", `{"attributes":`, http.StatusBadRequest, "invalid JSON body"},
		{"too large", "POST", "/action/user_account/signin", `{"x":"` + strings.Repeat("a", 300) + `"}`, http.StatusRequestEntityTooLarge, "larger than 256 bytes"},
		{"api form", "POST", "/api/world/action/no_such_action", ``, http.StatusNotFound, "no_such_action"},
		{"wrong password", "POST", "/action/user_account/signin", `{"attributes":{"email":"nobody@example.com","password":"whatever1"}}`, http.StatusUnauthorized, ""},
	}
	for _, c := range cases {
		w := serve(s, c.method, c.path, "", strings.NewReader(c.body))
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, w.Code, c.status, w.Body)
			continue
		}
		if !strings.Contains(w.Body.String(), c.contains) {
			t.Errorf("%s: body %s lacks %q", c.name, w.Body, c.contains)
		}
		if w.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s: headers %v", c.name, w.Header())
		}
		var out []actions.Response
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out) == 0 {
			t.Errorf("%s: body is not a list of responses: %s", c.name, w.Body)
		}
	}
}

func TestActionHandlerSignUpAndIn(t *testing.T) {
	s := unitServer(t, nil)
	w := serve(s, "POST", "/action/user_account/signup", "", strings.NewReader(
		`{"attributes":{"name":"ann","email":"ann@example.com","password":"secret-pass","passwordConfirm":"secret-pass"}}`))
	if w.Code != http.StatusOK {
		t.Fatalf("signup: %d %s", w.Code, w.Body)
	}
	// Form body and query parameters are read too.
	w = serve(s, "POST", "/action/user_account/signin?email=ann@example.com", "", nil)
	if w.Code == http.StatusOK {
		t.Fatalf("signin without password succeeded: %s", w.Body)
	}
	r := strings.NewReader("email=ann%40example.com&password=secret-pass")
	w = serve(s, "POST", "/action/user_account/signin", "", r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "client.store.set") {
		t.Fatalf("form signin: %d %s", w.Code, w.Body)
	}
	var out []actions.Response
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	var tok string
	for _, o := range out {
		if a, ok := o.Attributes.(map[string]any); ok && o.ResponseType == "client.store.set" && a["key"] == "token" {
			tok, _ = a["value"].(string)
		}
	}
	if !looksLikeJWT(tok) {
		t.Fatalf("no token in %s", w.Body)
	}
	if w := serve(s, "GET", "/api/world", tok, nil); w.Code == http.StatusUnauthorized {
		t.Errorf("a fresh token is refused: %s", w.Body)
	}
}

func TestTrackRoutesRefuseBadInput(t *testing.T) {
	s := unitServer(t, nil)
	for _, c := range []struct {
		path, body string
		status     int
		contains   string
	}{
		{"/track/start/x", `not json`, http.StatusBadRequest, "typeName"},
		{"/track/start/x", `{"typeName":" ","referenceId":"r"}`, http.StatusBadRequest, "required"},
		{"/track/start/no-such-machine", `{"typeName":"world","referenceId":"r"}`, 0, ""},
		{"/track/event/world/no-such-state/go", ``, 0, ""},
	} {
		w := serve(s, "POST", c.path, "", strings.NewReader(c.body))
		if c.status != 0 && w.Code != c.status {
			t.Errorf("%s %s: %d %s", c.path, c.body, w.Code, w.Body)
		}
		if c.status == 0 && (w.Code < 400 || w.Code >= 500) {
			t.Errorf("%s: %d, want a client error: %s", c.path, w.Code, w.Body)
		}
		if !strings.Contains(w.Body.String(), c.contains) {
			t.Errorf("%s: %s lacks %q", c.path, w.Body, c.contains)
		}
	}
}

func TestGraphQLSwitchFollowsConfig(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	for _, v := range []string{"true", "false", "true"} {
		if err := s.ConfigStore().Set(ctx, "backend", resource.KeyGraphQL, v); err != nil {
			t.Fatal(err)
		}
		s.ReloadConfig(ctx)
		if got := s.gqlOn.Load(); got != (v == "true") {
			t.Errorf("graphql.enable=%s: switch %v", v, got)
		}
	}
	s.configChanged(resource.KeyGraphQL) // the config API's path: same outcome, no cluster
	if !s.gqlOn.Load() {
		t.Error("configChanged turned GraphQL off")
	}
}

func TestIntegrationStatusCounts(t *testing.T) {
	s := unitServer(t, nil)
	st := s.integrationStatus()
	integ, _ := st["integrations"].(map[string]any)
	sched, _ := st["scheduler"].(map[string]any)
	if integ == nil || sched == nil {
		t.Fatalf("status: %v", st)
	}
	if integ["installed"] != 0 || sched["failing"] != 0 || sched["runs"] != 0 {
		t.Errorf("fresh server status: %v", st)
	}
	if s.realtimeBroker() != nil || s.roomPeers() != nil || s.topicStore() != nil {
		t.Error("a single node reports cluster parts")
	}
}

func TestPublishToTopicErrors(t *testing.T) {
	s := unitServer(t, nil)
	ctx := auth.WithPrincipal(context.Background(), auth.Guest())
	_, err := s.publishToTopic(ctx, actions.Request{Attributes: map[string]any{"topicName": " ", "message": map[string]any{"a": 1}}})
	status, _ := actions.StatusAndBody(err)
	if err == nil || status < 400 || status >= 500 {
		t.Errorf("empty topic: %d %v", status, err)
	}
}

func TestConfigAPINeedsAnAdministrator(t *testing.T) {
	s := unitServer(t, nil)
	signup := func(name string) string {
		body := `{"attributes":{"name":"` + name + `","email":"` + name + `@example.com","password":"password-` + name + `","passwordConfirm":"password-` + name + `"}}`
		if w := serve(s, "POST", "/action/user_account/signup", "", strings.NewReader(body)); w.Code != http.StatusOK {
			t.Fatalf("signup %s: %d %s", name, w.Code, w.Body)
		}
		p, err := s.Resource().PrincipalByEmail(auth.WithPrincipal(context.Background(), auth.System()), name+"@example.com")
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := s.Issuer().Issue(p.Email, p.Name, p.UserRef, p.AuthVersion)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	admin, plain := signup("ann"), signup("bob")
	if w := serve(s, "POST", "/action/world/become_an_administrator", admin, strings.NewReader(`{}`)); w.Code != http.StatusOK {
		t.Fatalf("become admin: %d %s", w.Code, w.Body)
	}
	if w := serve(s, "GET", "/_config", plain, nil); w.Code != http.StatusForbidden {
		t.Errorf("plain user: %d", w.Code)
	}
	if w := serve(s, "GET", "/_config", "", nil); w.Code != http.StatusUnauthorized {
		t.Errorf("guest: %d", w.Code)
	}
	if w := serve(s, "GET", "/_config", admin, nil); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "jwt.secret") {
		t.Errorf("administrator: %d %s", w.Code, w.Body)
	}
}
