package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/integrations/oauth"
	"github.com/apiary/apiary/storage/db"
)

// unitServer builds a Server on a fresh SQLite file without starting its
// listeners; its Handler serves requests in memory.
func unitServer(t *testing.T, schemaFiles map[string]string, opts ...func(*Config)) *Server {
	t.Helper()
	dir := t.TempDir()
	for name, body := range schemaFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.DB = db.Config{Type: "sqlite", DSN: filepath.Join(dir, "unit.db")}
	cfg.SchemaDir = dir
	cfg.LocalStoragePath = filepath.Join(dir, "storage")
	cfg.PasswordCost = 4
	for _, o := range opts {
		o(&cfg)
	}
	s, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func serve(s *Server, method, path, token string, body io.Reader) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, body)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

const noteSchema = `{"Tables":[{"TableName":"note","Columns":[{"Name":"title","ColumnType":"label","DataType":"varchar(100)"}]}]}`

func TestRouterBasics(t *testing.T) {
	s := unitServer(t, nil)
	if w := serve(s, "GET", "/ping", "", nil); w.Code != 200 || w.Body.String() != "pong" {
		t.Errorf("ping: %d %q", w.Code, w.Body)
	}
	w := serve(s, "GET", "/no/such/route", "", nil)
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "no route for GET /no/such/route") {
		t.Errorf("not found: %d %s", w.Code, w.Body)
	}
	if w := serve(s, "DELETE", "/ping", "", nil); w.Code != http.StatusMethodNotAllowed || !strings.Contains(w.Body.String(), "DELETE is not allowed") {
		t.Errorf("method not allowed: %d %s", w.Code, w.Body)
	}
	w = serve(s, "GET", "/actions", "", nil)
	var guest map[string]any
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &guest) != nil || len(guest) == 0 {
		t.Errorf("/actions: %d %s", w.Code, w.Body)
	}
	if _, ok := guest["user:signin"]; !ok && !strings.Contains(w.Body.String(), "signin") {
		t.Errorf("/actions lacks signin: %s", w.Body)
	}
	if h := serve(s, "GET", "/ping", "", nil).Header(); h.Get("X-Content-Type-Options") == "" {
		t.Errorf("security headers missing: %v", h)
	}
}

func TestAuthenticateTokens(t *testing.T) {
	s := unitServer(t, nil)
	// "Bearer null" is no token at all: a guest.
	if w := serve(s, "GET", "/ping", "null", nil); w.Code != 200 {
		t.Errorf("Bearer null: %d", w.Code)
	}
	forged := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJlbWFpbCI6ImFAYi5jIn0.c2lnbmF0dXJl"
	w := serve(s, "GET", "/ping", forged, nil)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("forged token: %d %v", w.Code, w.Header())
	}
	// On an action guests may run, a stale token goes on as a guest.
	w = serve(s, "POST", "/action/user_account/signin", forged, strings.NewReader(`{"attributes":{"email":"x@y.z","password":"wrong-password"}}`))
	if w.Code == http.StatusUnauthorized && strings.Contains(w.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("signin with stale token was refused as a bad token: %s", w.Body)
	}
	// A valid token for an unknown user fails verification of the principal.
	tok, _, err := s.Issuer().Issue("ghost@example.com", "ghost", "00000000-0000-0000-0000-000000000000", 0)
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(s, "GET", "/api/world", tok, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("token of no user: %d %s", w.Code, w.Body)
	}
}

func TestRecovererAndLogRequests(t *testing.T) {
	s := unitServer(t, nil)
	h := s.logRequests(s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("panic: %d %s", w.Code, w.Body)
	}
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("ErrAbortHandler not re-raised: %v", v)
		}
	}()
	s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
}

func TestReloadPicksUpNewSchema(t *testing.T) {
	s := unitServer(t, nil)
	if _, ok := s.Resource().Schema().Table("note"); ok {
		t.Fatal("note exists before its schema file")
	}
	if err := os.WriteFile(filepath.Join(s.cfg.SchemaDir, "schema_note.json"), []byte(noteSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Resource().Schema().Table("note"); !ok {
		t.Fatal("note missing after Reload")
	}
	if err := os.WriteFile(filepath.Join(s.cfg.SchemaDir, "schema_bad.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "reload") {
		t.Errorf("broken schema file: %v", err)
	}
	if _, ok := s.Resource().Schema().Table("note"); !ok {
		t.Error("a failed reload dropped the live schema")
	}
}

func TestStartServesAndCloses(t *testing.T) {
	s := unitServer(t, map[string]string{"schema_note.json": noteSchema})
	if s.Addr("http") != nil {
		t.Error("address before Start")
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := s.Addr("http")
	if a == nil {
		t.Fatal("no http address after Start")
	}
	resp, err := http.Get("http://" + a.String() + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "pong" {
		t.Errorf("ping over TCP: %q", b)
	}
	if s.Addr("nosuch") != nil {
		t.Error("address of an unknown listener")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := http.Get("http://" + a.String() + "/ping"); err == nil {
		t.Error("listener still answers after Close")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DB = db.Config{Type: "sqlite", DSN: filepath.Join(t.TempDir(), "x.db")}
	cfg.LogLevel = "loud"
	if _, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Error("New accepted an invalid config")
	}
	cfg = DefaultConfig()
	cfg.DB = db.Config{Type: "sqlite", DSN: filepath.Join(t.TempDir(), "x.db")}
	cfg.Olric.Peers = []string{"10.0.0.1:5337"}
	cfg.Olric.Secret = "s"
	if _, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), "shared PostgreSQL or MySQL") {
		t.Errorf("cluster on sqlite: %v", err)
	}
}

func TestSmallHelpers(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]int{":6336": 5336, "127.0.0.1:9000": 8000, ":1000": 5336, ":80": 5336, "nope": 5336, ":x": 5336} {
		if got := derivedOlricPort(addr); got != want {
			t.Errorf("derivedOlricPort(%q) = %d, want %d", addr, got, want)
		}
	}
	if errString(nil) != "" || errString(errors.New("e")) != "e" {
		t.Error("errString")
	}
	if strAttr("  a ") != "a" || strAttr(3.0) != "" || strAttr(nil) != "" {
		t.Error("strAttr")
	}
	for _, c := range []struct {
		v    any
		def  int
		want int
	}{{2.0, 5, 2}, {0.0, 5, 5}, {"7", 5, 7}, {"0", 5, 5}, {"x", 5, 5}, {nil, 9, 9}, {true, 1, 1}, {1.9, 3, 1}} {
		if got := intAttr(c.v, c.def); got != c.want {
			t.Errorf("intAttr(%#v, %d) = %d, want %d", c.v, c.def, got, c.want)
		}
	}
	if boolInt(true) != 1 || boolInt(false) != 0 {
		t.Error("boolInt")
	}
	if v := oneOrMany([]string{"a"}); v != "a" {
		t.Errorf("oneOrMany one = %#v", v)
	}
	if v, ok := oneOrMany([]string{"a", "b"}).([]any); !ok || len(v) != 2 || v[1] != "b" {
		t.Errorf("oneOrMany two = %#v", v)
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	d := DefaultTimeouts()
	if got := (Timeouts{}).withDefaults(); got != d {
		t.Errorf("zero timeouts = %+v, want defaults %+v", got, d)
	}
	if got := (Timeouts{Header: time.Second, Idle: -1}).withDefaults(); got.Header != time.Second || got.Idle != d.Idle || got.Read != d.Read {
		t.Errorf("partial timeouts = %+v", got)
	}
	if err := (Timeouts{Header: time.Minute, Read: time.Second}).validate(); err == nil {
		t.Error("header longer than read accepted")
	}
	if err := (Timeouts{Header: 2 * time.Minute}).validate(); err == nil {
		t.Error("header longer than the default read accepted")
	}
	if err := (Timeouts{Header: time.Second, Read: time.Second}).validate(); err != nil {
		t.Errorf("equal timeouts: %v", err)
	}
	var srv http.Server
	applyTimeouts(&srv, Timeouts{Write: 3 * time.Second})
	if srv.WriteTimeout != 3*time.Second || srv.ReadHeaderTimeout != d.Header || srv.ReadTimeout != d.Read || srv.IdleTimeout != d.Idle {
		t.Errorf("applied: %v %v %v %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
}

func TestOlricValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		o    OlricConfig
		db   string
		want []string
	}{
		{OlricConfig{}, "sqlite", nil},
		{OlricConfig{Port: -1}, "postgres", []string{"-olric_port -1"}},
		{OlricConfig{Port: 65535}, "postgres", []string{"-olric_port 65535"}},
		{OlricConfig{Peers: []string{"h:1"}, Secret: "s"}, "postgres", nil},
		{OlricConfig{Peers: []string{"h:1"}, Secret: "s"}, "sqlite3", []string{"SQLite serves one node"}},
		{OlricConfig{Peers: []string{"h:1"}, Secret: " "}, "mysql", []string{"-cluster_secret"}},
		{OlricConfig{Peers: []string{"h", "h:"}, Secret: "s"}, "mysql", []string{`"h": want host:port`, `"h:": want host:port`}},
	} {
		err := c.o.validate(c.db)
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%+v on %s: %v", c.o, c.db, err)
			}
			continue
		}
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%+v on %s: %v, want %q", c.o, c.db, err, w)
			}
		}
	}
}

func TestWriteRender(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	if writeRender(w, []actions.Response{actions.Notify("success", "t", "m")}) || w.Body.Len() != 0 {
		t.Error("rendered a notify")
	}
	out := []actions.Response{
		actions.Notify("success", "t", "m"),
		{ResponseType: "render", Attributes: map[string]any{"mime_type": "text/html", "content": "<p>hi</p>",
			"headers": map[string]string{"X-Extra": "1"}}},
		{ResponseType: "render", Attributes: map[string]any{"content": "second"}},
	}
	if !writeRender(w, out) {
		t.Fatal("render not written")
	}
	if w.Body.String() != "<p>hi</p>" || w.Header().Get("Content-Type") != "text/html" || w.Header().Get("X-Extra") != "1" {
		t.Errorf("render: %q %v", w.Body, w.Header())
	}
}

func TestOAuthFail(t *testing.T) {
	t.Parallel()
	status := func(err error) int {
		var ae *actions.Error
		if errors.As(err, &ae) {
			return ae.Status
		}
		return 0
	}
	if got := status(oauthFail(fmt.Errorf("wrap: %w", oauth.ErrState))); got != http.StatusBadRequest {
		t.Errorf("state: %d", got)
	}
	if got := status(oauthFail(fmt.Errorf("wrap: %w", oauth.ErrProvider))); got != http.StatusBadGateway {
		t.Errorf("provider: %d", got)
	}
	other := errors.New("other")
	if oauthFail(other) != other {
		t.Error("other errors must pass through unchanged")
	}
}

func TestDefaultIntegrationsConfig(t *testing.T) {
	t.Parallel()
	c := DefaultIntegrationsConfig()
	if c.ReadPerMinute <= 0 || c.WritePerMinute <= 0 || c.WritePerMinute > c.ReadPerMinute {
		t.Errorf("rate limits: %+v", c)
	}
	if c.Timeout != 30*time.Second || c.MaxResponse != 10<<20 {
		t.Errorf("timeout and answer cap: %v %d", c.Timeout, c.MaxResponse)
	}
	if c.ACMERenewBefore <= c.ACMECheckEvery {
		t.Errorf("renewal window %v must exceed the check interval %v", c.ACMERenewBefore, c.ACMECheckEvery)
	}
}
