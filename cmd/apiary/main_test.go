package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", to inspect the file run left behind
)

// syncBuffer is a bytes.Buffer safe for the server's log goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// noEnv is a lookupEnv that sees no variables, so the developer's
// environment cannot change what a test runs.
func noEnv(string) (string, bool) { return "", false }

func TestRunFailsWithOneLine(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	busyAddr := busy.Addr().String()

	scenarios := []struct {
		name     string
		schema   string // written as schemaFile into the schema folder
		file     string
		args     []string // appended to -schema_folder, -db_connection_string and -local_storage_path
		code     int
		want     []string // substrings of the single stderr line
		noTables bool     // the SQLite file must have no tables afterwards
	}{
		{
			name:   "malformed schema file",
			file:   "schema_bad.json",
			schema: "{\n  \"Tables\": [\n    {\"TableName\": \"x\",,}\n  ]\n}\n",
			code:   1, want: []string{"schema_bad.json:3"}, noTables: true,
		},
		{
			name:   "unknown column type",
			file:   "schema_shop.yaml",
			schema: "Tables:\n  - TableName: product\n    Columns:\n      - {Name: weight, ColumnType: heaviness}\n",
			code:   1, want: []string{"schema_shop.yaml", `"product"`, `"weight"`, "heaviness"}, noTables: true,
		},
		{
			name:   "relation to a missing table",
			file:   "schema_shop.yaml",
			schema: "Tables:\n  - TableName: product\n    Columns:\n      - {Name: name, ColumnType: label}\nRelations:\n  - {Subject: product, Relation: belongs_to, Object: warehouse}\n",
			code:   1, want: []string{"schema_shop.yaml", "warehouse"}, noTables: true,
		},
		{
			name: "unreachable database",
			args: []string{"-log_level", "error", "-db_type", "postgres", "-db_connection_string",
				"host=127.0.0.1 port=1 user=x dbname=y sslmode=disable connect_timeout=2"},
			code: 1, want: []string{"127.0.0.1"},
		},
		{
			name: "port in use",
			args: []string{"-log_level", "error", "-port", busyAddr},
			code: 1, want: []string{busyAddr},
		},
		{
			name: "unknown flag",
			args: []string{"-no_such_flag", "1"},
			code: 2, want: []string{"-no_such_flag"}, noTables: true,
		},
		{
			name: "unexpected argument",
			args: []string{"serve"},
			code: 2, want: []string{"serve"}, noTables: true,
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			dbFile := filepath.Join(dir, "apiary.db")
			if s.schema != "" {
				if err := os.WriteFile(filepath.Join(dir, s.file), []byte(s.schema), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{"-schema_folder", dir, "-db_connection_string", dbFile,
				"-local_storage_path", filepath.Join(dir, "storage")}, s.args...)
			var stderr syncBuffer
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			code := runContext(ctx, args, noEnv, &stderr)
			out := stderr.String()
			if code != s.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, s.code, out)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "apiary: ") {
				t.Fatalf("want exactly one line \"apiary: ...\" on stderr, got %d:\n%s", len(lines), out)
			}
			t.Log(lines[0])
			for _, w := range s.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("%q does not mention %q", lines[0], w)
				}
			}
			if s.noTables {
				if n := countTables(t, dbFile); n != 0 {
					t.Errorf("run left %d tables in the database", n)
				}
			}
		})
	}
}

// countTables returns how many tables the SQLite file holds (0 if absent).
func countTables(t *testing.T, file string) int {
	t.Helper()
	if _, err := os.Stat(file); os.IsNotExist(err) {
		return 0
	}
	conn, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunHelp(t *testing.T) {
	t.Parallel()
	var stderr syncBuffer
	if code := runContext(context.Background(), []string{"-help"}, noEnv, &stderr); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "-db_connection_string") {
		t.Errorf("help text lacks the flags:\n%s", stderr.String())
	}
}

// TestRunStartsAndStops is not parallel: a first boot under -race takes a
// few seconds, and sharing the CPU with the other tests would push it past
// the 5 s readiness bound.
func TestRunStartsAndStops(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "apiary.db")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"-port", addr, "-schema_folder", dir, "-db_connection_string", dbFile,
			"-local_storage_path", filepath.Join(dir, "storage"), "-log_level", "warn"}, noEnv, &stderr)
	}()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if body, ok := ping(client, "http://"+addr+"/ping"); ok && body == "pong" {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("run returned %d before serving; stderr:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pong from %s within 5 s; stderr:\n%s", addr, stderr.String())
		}
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after cancel, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after the context was cancelled")
	}
	if _, err := os.Stat(dbFile); err != nil {
		t.Errorf("database file: %v", err)
	}
	if n := countTables(t, dbFile); n == 0 {
		t.Error("database has no tables after a successful start")
	}
	if _, ok := ping(client, "http://"+addr+"/ping"); ok {
		t.Error("server still answers after run returned")
	}
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

func ping(c *http.Client, url string) (string, bool) {
	resp, err := c.Get(url)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err == nil && resp.StatusCode == http.StatusOK
}
