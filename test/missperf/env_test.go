package missperf

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
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

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the "sqlite" driver, for the seed's bulk copy

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/test/testserver"
)

// Permissions as in the other benchmarks: the locked-down table gate plus
// guest read/create/update/delete, rows readable and writable by their owner only.
const (
	todoGate    = auth.DefaultPermission | auth.GuestRead | auth.GuestCreate | auth.GuestUpdate | auth.GuestDelete
	todoRowPerm = auth.GuestPeek | auth.UserCRUD | auth.UserExecute | auth.GroupRead | auth.GroupExecute
)

// todoSchema is the table: a title (indexed), a due date (not
// indexed), a flag and notes.
var todoSchema = fmt.Sprintf(`
Tables:
  - TableName: todo
    Permission: %[1]d
    DefaultPermission: %[2]d
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: due, ColumnType: date, IsNullable: true}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: notes, ColumnType: content, IsNullable: true}
`, int64(todoGate), int64(todoRowPerm))

// benchRateLimit lifts Daptin's per-(IP, path) rate limit on the todo path.
const benchRateLimit = `{"version":"1","limits":{"/api/todo":1000000}}`

// sorts are the random sorts.
var sorts = []string{"title", "-title", "due", "-created_at"}

// env is one seeded server driven in-process (no socket).
type env struct {
	dir      string
	srv      *server.Server
	h        http.Handler
	adminTok string
	userTok  string
	ids      []string
}

// newEnv boots a server on SQLite with the given read cache size, locks
// the instance down and gives a plain user rows todo rows (the first 100
// through the resource layer, the rest SQL copies with fresh ids, titles
// and due dates).
func newEnv(b testing.TB, rows, cacheMB int) *env {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "schema_todo.yaml"), []byte(todoSchema), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	cfg.HTTP.ReadCacheMB = cacheMB
	cfg.DB = db.Config{Type: "sqlite3", DSN: filepath.Join(dir, "apiary.db")}
	cfg.SchemaDir = dir
	cfg.LocalStoragePath = filepath.Join(dir, "storage")
	cfg.PasswordCost = 4
	log := slog.New(slog.NewTextHandler(testserver.NewLogWriter(b), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(context.Background(), cfg, log)
	if err != nil {
		b.Fatalf("server.New: %v", err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	e := &env{dir: dir, srv: srv, h: srv.Handler()}
	e.adminTok = e.account(b, "Admin", "admin@example.test")
	e.must(b, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, e.adminTok)
	e.userTok = e.account(b, "Plain", "plain@example.test")
	e.must(b, http.StatusOK, http.MethodPut, "/_config/backend/limit.rate", benchRateLimit, e.adminTok)
	if rows > 0 {
		e.seed(b, filepath.Join(dir, "apiary.db"), rows)
	}
	return e
}

func (e *env) seed(b testing.TB, dsn string, rows int) {
	b.Helper()
	ctx := context.Background()
	res := e.srv.Resource()
	p, err := res.PrincipalByEmail(ctx, "plain@example.test")
	if err != nil {
		b.Fatal(err)
	}
	base := min(rows, 100)
	uctx := auth.WithPrincipal(ctx, p)
	err = res.InTx(uctx, func(tx resource.Service) error {
		for i := range base {
			_, err := tx.Create(uctx, "todo", resource.Input{Attributes: map[string]any{
				"title": fmt.Sprintf("todo %03d", (i*37)%100), "due": fmt.Sprintf("2027-%02d-%02d", i%12+1, i%28+1), "notes": "seeded row"}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	e.ids = cloneRows(b, dsn, rows/base-1)
	res.Invalidate()
}

// cloneRows adds copies of every todo row (copies times) through a second
// connection, varying title and due, and returns every reference id. The
// due dates are written in the form the resource layer writes them (SQLite's
// date() alone gives "2027-05-01", which the driver parses only after six
// failed layouts, a cost real rows do not have).
func cloneRows(b testing.TB, dsn string, copies int) []string {
	b.Helper()
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.Exec("PRAGMA busy_timeout = 10000"); err != nil {
		b.Fatal(err)
	}
	var cols []string
	rows, err := conn.Query("SELECT name FROM pragma_table_info('todo')")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		if c != "id" && c != "reference_id" && c != "title" && c != "due" {
			cols = append(cols, `"`+c+`"`)
		}
	}
	rows.Close()
	list := strings.Join(cols, ", ")
	if copies > 0 {
		q := `WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
INSERT INTO todo (reference_id, title, due, ` + list + `) SELECT randomblob(16), title || ' ' || n.k, date(due, '+' || (n.k % 700) || ' days') || ' 00:00:00+00:00', ` + list + ` FROM todo, n ORDER BY n.k, todo.id`
		if _, err := conn.Exec(q, copies); err != nil {
			b.Fatalf("clone: %v", err)
		}
	}
	rows, err = conn.Query("SELECT reference_id FROM todo ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, uuid.Must(uuid.FromBytes(raw)).String())
	}
	return ids
}

func (e *env) account(b testing.TB, name, email string) string {
	b.Helper()
	up, _ := json.Marshal(map[string]any{"attributes": map[string]any{"name": name, "email": email, "password": "password-" + name, "passwordConfirm": "password-" + name}})
	e.must(b, http.StatusOK, http.MethodPost, "/action/user_account/signup", string(up), "")
	in, _ := json.Marshal(map[string]any{"attributes": map[string]any{"email": email, "password": "password-" + name}})
	body := e.must(b, http.StatusOK, http.MethodPost, "/action/user_account/signin", string(in), "")
	var list []struct {
		ResponseType string
		Attributes   map[string]any
	}
	if err := json.Unmarshal(body, &list); err != nil {
		b.Fatal(err)
	}
	for _, r := range list {
		if tok, ok := r.Attributes["value"].(string); ok && r.ResponseType == "client.store.set" {
			return tok
		}
	}
	b.Fatalf("signin %s: no token in %s", email, body)
	return ""
}

// do sends one request through the router in-process.
func (e *env) do(method, path string, body []byte, tok string) *httptest.ResponseRecorder {
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
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *env) must(b testing.TB, want int, method, path, body, tok string) []byte {
	b.Helper()
	var raw []byte
	if body != "" {
		raw = []byte(body)
	}
	rec := e.do(method, path, raw, tok)
	if rec.Code != want {
		b.Fatalf("%s %s: %d, want %d: %.500s", method, path, rec.Code, want, rec.Body.Bytes())
	}
	return rec.Body.Bytes()
}
