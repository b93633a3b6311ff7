// Package testserver boots a whole Apiary server in one line for
// end-to-end tests: a temp directory, a fresh database of the dialect the
// environment picks (APIARY_TEST_DB), a random loopback port, and logs that
// show only when the test fails.
package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// Server is a running Apiary for one test.
type Server struct {
	URL    string
	Dir    string
	Srv    *server.Server
	Client *http.Client
	cfg    server.Config
}

// Option changes how the server starts.
type Option func(*options)

type options struct {
	schemas map[string]string
	cfg     func(*server.Config)
	dir     string
	dbType  string
	dsn     string
	clock   *Clock
}

// WithSchema writes a schema file (name like "schema_todo.yaml") into the
// server's folder before it starts.
func WithSchema(name, content string) Option {
	return func(o *options) { o.schemas[name] = content }
}

// WithConfig adjusts the configuration before start.
func WithConfig(fn func(*server.Config)) Option { return func(o *options) { o.cfg = fn } }

// Clock is a settable clock for tests of time-based codes.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// WithClock makes the server's time-based codes follow c.
func WithClock(c *Clock) Option { return func(o *options) { o.clock = c } }

// WithDatabase reuses a database and folder (to restart a server on the
// same data); the caller owns their cleanup.
func WithDatabase(dir, dbType, dsn string) Option {
	return func(o *options) { o.dir, o.dbType, o.dsn = dir, dbType, dsn }
}

// Start boots a server and registers its shutdown with t.Cleanup.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := &options{schemas: map[string]string{}}
	for _, fn := range opts {
		fn(o)
	}
	if o.dir == "" {
		o.dir = t.TempDir()
		o.dbType, o.dsn = dbtest.NewDSN(t)
	}
	for name, content := range o.schemas {
		if err := os.WriteFile(filepath.Join(o.dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := server.DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.DB = db.Config{Type: o.dbType, DSN: o.dsn}
	cfg.SchemaDir = o.dir
	cfg.LocalStoragePath = filepath.Join(o.dir, "storage")
	cfg.PasswordCost = 4 // bcrypt's minimum: tests sign up many users
	if o.clock != nil {
		cfg.Clock = o.clock.Now
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	log := slog.New(slog.NewTextHandler(NewLogWriter(t), &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	s := &Server{URL: "http://" + srv.Addr("http").String(), Dir: o.dir, Srv: srv, cfg: cfg,
		Client: &http.Client{Timeout: 30 * time.Second}}
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Config returns the configuration the server started with.
func (s *Server) Config() server.Config { return s.cfg }

// Response is a decoded HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r Response) JSON(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.Body)
	}
	return v
}

// Map decodes the body as a JSON object.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.JSON(t).(map[string]any)
	if !ok {
		t.Fatalf("body is not a JSON object: %s", r.Body)
	}
	return m
}

// Do sends a request; body may be nil, a string, []byte or any value to
// encode as JSON. token, when not empty, goes in Authorization: Bearer.
func (s *Server) Do(t testing.TB, method, path string, body any, token string) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// logWriter sends log lines to t.Logf until the test ends.
type logWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

// NewLogWriter returns a writer whose lines show only if t fails.
func NewLogWriter(t testing.TB) io.Writer {
	w := &logWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return w
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}
