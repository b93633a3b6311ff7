package missperf

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, for the seed's bulk copy

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/inproc"
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
	inproc.Client
	dir      string
	srv      *server.Server
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
	srv, dir := inproc.Boot(b, "schema_todo.yaml", todoSchema, func(c *server.Config) {
		c.HTTP.ReadCacheMB = cacheMB
		c.PasswordCost = 4
		if p := os.Getenv("MISSPERF_DSN_PARAMS"); p != "" {
			c.DB.DSN += "?" + p // e.g. vfs=unix-excl, to measure a driver setting
		}
	})
	e := &env{Client: inproc.Client{H: srv.Handler()}, dir: dir, srv: srv}
	e.adminTok = e.account(b, "Admin", "admin@example.test")
	e.Must(b, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, e.adminTok)
	e.userTok = e.account(b, "Plain", "plain@example.test")
	e.Must(b, http.StatusOK, http.MethodPut, "/_config/backend/limit.rate", benchRateLimit, e.adminTok)
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
	return inproc.CloneRows(b, dsn, "todo", copies, []string{"title", "due"}, func(list string) string {
		return `WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
INSERT INTO todo (reference_id, title, due, ` + list + `) SELECT randomblob(16), title || ' ' || n.k, date(due, '+' || (n.k % 700) || ' days') || ' 00:00:00+00:00', ` + list + ` FROM todo, n ORDER BY n.k, todo.id`
	})
}

// account signs up and signs in as name, returning the token.
func (e *env) account(b testing.TB, name, email string) string {
	return e.Account(b, name, email, "password-"+name)
}
