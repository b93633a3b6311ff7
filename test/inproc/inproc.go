// Package inproc drives a real server in-process for benchmarks and
// measurement tests: it boots one on SQLite in a temp folder without a
// listener, sends requests straight to its Handler, signs accounts up and
// bulk-copies seeded rows in SQL. It owns no test of its own.
package inproc

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the "sqlite" driver, for the bulk copy

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/test/testserver"
)

// Boot starts a server on SQLite in a temp folder holding one schema file,
// logging warnings only; configure may change the config first. It returns
// the server and the folder (the database is apiary.db in it).
func Boot(tb testing.TB, schemaFile, schemaText string, configure func(*server.Config)) (*server.Server, string) {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, schemaFile), []byte(schemaText), 0o600); err != nil {
		tb.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.DB = db.Config{Type: "sqlite3", DSN: filepath.Join(dir, "apiary.db")}
	cfg.SchemaDir = dir
	cfg.LocalStoragePath = filepath.Join(dir, "storage")
	if configure != nil {
		configure(&cfg)
	}
	log := slog.New(slog.NewTextHandler(testserver.NewLogWriter(tb), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(context.Background(), cfg, log)
	if err != nil {
		tb.Fatalf("server.New: %v", err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv, dir
}

// Client sends requests to H in-process (no socket).
type Client struct{ H http.Handler }

// Do sends one request; a body is sent as JSON:API.
func (c Client) Do(method, path string, body []byte, tok string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	c.H.ServeHTTP(rec, req)
	return rec
}

// Must sends one request (body nil, a string or bytes) and fails tb unless
// the status is want; it returns the body.
func (c Client) Must(tb testing.TB, want int, method, path string, body any, tok string) []byte {
	tb.Helper()
	var raw []byte
	switch v := body.(type) {
	case nil:
	case string:
		if v != "" {
			raw = []byte(v)
		}
	case []byte:
		raw = v
	default:
		tb.Fatalf("body type %T", body)
	}
	rec := c.Do(method, path, raw, tok)
	if rec.Code != want {
		tb.Fatalf("%s %s: %d, want %d: %.500s", method, path, rec.Code, want, rec.Body.Bytes())
	}
	return rec.Body.Bytes()
}

// Account signs up and signs in through the actions, returning the token.
func (c Client) Account(tb testing.TB, name, email, password string) string {
	tb.Helper()
	up, _ := json.Marshal(map[string]any{"attributes": map[string]any{"name": name, "email": email, "password": password, "passwordConfirm": password}})
	c.Must(tb, http.StatusOK, http.MethodPost, "/action/user_account/signup", up, "")
	in, _ := json.Marshal(map[string]any{"attributes": map[string]any{"email": email, "password": password}})
	body := c.Must(tb, http.StatusOK, http.MethodPost, "/action/user_account/signin", in, "")
	var list []struct {
		ResponseType string
		Attributes   map[string]any
	}
	if err := json.Unmarshal(body, &list); err != nil {
		tb.Fatal(err)
	}
	for _, r := range list {
		if tok, ok := r.Attributes["value"].(string); ok && r.ResponseType == "client.store.set" {
			return tok
		}
	}
	tb.Fatalf("signin %s: no token in %s", email, body)
	return ""
}

// CloneRows copies rows of table in the SQLite file dsn through a second
// connection and returns every reference id in id order. insert builds the
// INSERT from the quoted, comma-separated list of the table's columns but
// id, reference_id and skip; it runs with copies as its one argument,
// unless copies is 0.
func CloneRows(tb testing.TB, dsn, table string, copies int, skip []string, insert func(cols string) string) []string {
	tb.Helper()
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.Exec("PRAGMA busy_timeout = 10000"); err != nil {
		tb.Fatal(err)
	}
	rows, err := conn.Query("SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		tb.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			tb.Fatal(err)
		}
		if c != "id" && c != "reference_id" && !slices.Contains(skip, c) {
			cols = append(cols, `"`+c+`"`)
		}
	}
	rows.Close()
	if copies > 0 {
		if _, err := conn.Exec(insert(strings.Join(cols, ", ")), copies); err != nil {
			tb.Fatalf("clone %s: %v", table, err)
		}
	}
	rows, err = conn.Query(`SELECT reference_id FROM "` + table + `" ORDER BY id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			tb.Fatal(err)
		}
		u, err := uuid.FromBytes(raw)
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, u.String())
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return ids
}
