package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDialectSQL(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		typ, name, quote, rebind, limit, offsetOnly, autoPK, ilike string
		returning, ddl                                             bool
	}{
		{
			typ: "sqlite3", name: "sqlite", quote: `"a""b"`,
			rebind: `SELECT '?' FROM t WHERE a = ? AND b = ?`,
			limit:  " LIMIT 10 OFFSET 20", offsetOnly: " LIMIT -1 OFFSET 5",
			autoPK:    `"id" INTEGER PRIMARY KEY AUTOINCREMENT`,
			ilike:     `LOWER("n") LIKE LOWER(?) ESCAPE '\'`,
			returning: true, ddl: true,
		},
		{
			typ: "postgres", name: "postgres", quote: `"a""b"`,
			rebind: `SELECT '?' FROM t WHERE a = $1 AND b = $2`,
			limit:  " LIMIT 10 OFFSET 20", offsetOnly: " OFFSET 5",
			autoPK:    `"id" BIGSERIAL PRIMARY KEY`,
			ilike:     `"n" ILIKE ?`,
			returning: true, ddl: true,
		},
		{
			typ: "mysql", name: "mysql", quote: "`a\"b`",
			rebind: `SELECT '?' FROM t WHERE a = ? AND b = ?`,
			limit:  " LIMIT 10 OFFSET 20", offsetOnly: " LIMIT 18446744073709551615 OFFSET 5",
			autoPK: "`id` BIGINT AUTO_INCREMENT PRIMARY KEY",
			ilike:  "LOWER(`n`) LIKE LOWER(?)",
		},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d, err := DialectFor(s.typ)
			if err != nil {
				t.Fatal(err)
			}
			checks := []struct{ what, got, want string }{
				{"Name", d.Name(), s.name},
				{"Quote", d.Quote(`a"b`), s.quote},
				{"Rebind", d.Rebind(`SELECT '?' FROM t WHERE a = ? AND b = ?`), s.rebind},
				{"LimitOffset", d.LimitOffset(10, 20), s.limit},
				{"LimitOffset offset only", d.LimitOffset(0, 5), s.offsetOnly},
				{"LimitOffset none", d.LimitOffset(0, 0), ""},
				{"AutoIncrementPK", d.AutoIncrementPK("id"), s.autoPK},
				{"ILike", d.ILike(d.Quote("n")), s.ilike},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			if d.SupportsReturning() != s.returning || d.TransactionalDDL() != s.ddl {
				t.Errorf("SupportsReturning/TransactionalDDL = %v/%v", d.SupportsReturning(), d.TransactionalDDL())
			}
			if d.SingleWriter() != (s.name == "sqlite") {
				t.Errorf("SingleWriter = %v", d.SingleWriter())
			}
			if d.InProcess() != (s.name == "sqlite") {
				t.Errorf("InProcess = %v", d.InProcess())
			}
			if strings.Count(d.ILike("x"), "?") != 1 {
				t.Errorf("ILike must have exactly one placeholder")
			}
			if d.MapError(nil) != nil {
				t.Errorf("MapError(nil) != nil")
			}
		})
	}
	if _, err := DialectFor("oracle"); err == nil {
		t.Error("DialectFor(oracle) succeeded")
	}
}

func TestRebindDollar(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{`x = 'it''s ?' AND "q?" = ?`, `x = 'it''s ?' AND "q?" = $1`},
		{"-- why?\nx = ?", "-- why?\nx = $1"},
		{"data ?? 'k' AND id = ?", "data ? 'k' AND id = $1"},
		{"x = 'unterminated ?", "x = 'unterminated ?"},
	}
	for _, s := range scenarios {
		if got := rebindDollar(s.in); got != s.want {
			t.Errorf("rebindDollar(%q) = %q, want %q", s.in, got, s.want)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	t.Parallel()
	if got, want := EscapeLike(`50%_a\b`), `50\%\_a\\b`; got != want {
		t.Errorf("EscapeLike = %q, want %q", got, want)
	}
}

func TestDSNs(t *testing.T) {
	t.Parallel()
	const sqliteBase = "file:/data/x.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=synchronous(NORMAL)&_time_format=sqlite&_timezone=UTC"
	scenarios := []struct {
		name, typ, in  string
		writer, reader string
		contains       []string
	}{
		{name: "sqlite path", typ: "sqlite3", in: "/data/x.db",
			writer: sqliteBase + "&_txlock=immediate", reader: sqliteBase + "&_query_only=1"},
		{name: "sqlite file uri keeps own pragma", typ: "sqlite", in: "file:/data/x.db?_pragma=busy_timeout(5)",
			contains: []string{"file:/data/x.db?_pragma=journal_mode(WAL)", "_pragma=busy_timeout%285%29"}},
		{name: "sqlite process-held file on request", typ: "sqlite", in: "/data/x.db?vfs=unix-excl",
			writer: sqliteBase + "&vfs=unix-excl&_txlock=immediate"},
		{name: "sqlite odd path", typ: "sqlite", in: "/d/a#c%.db", contains: []string{"file:/d/a%23c%25.db?"}},
		{name: "postgres kv", typ: "postgres", in: "host=h user=u dbname=d",
			writer: "host=h user=u dbname=d timezone=UTC", reader: "host=h user=u dbname=d timezone=UTC"},
		{name: "postgres kv keeps tz", typ: "postgres", in: "host=h TimeZone=Europe/Paris",
			writer: "host=h TimeZone=Europe/Paris", reader: "host=h TimeZone=Europe/Paris"},
		{name: "postgres url", typ: "postgres", in: "postgres://u:p@h:5433/d?sslmode=disable",
			writer: "postgres://u:p@h:5433/d?sslmode=disable&timezone=UTC", reader: "postgres://u:p@h:5433/d?sslmode=disable&timezone=UTC"},
		{name: "mysql defaults", typ: "mysql", in: "root@tcp(127.0.0.1:3306)/test",
			contains: []string{"parseTime=true", "charset=utf8mb4", "collation=utf8mb4_unicode_ci", "time_zone=%27%2B00%3A00%27", "/test?"}},
		{name: "mysql keeps charset", typ: "mysql", in: "u:p@tcp(h:1)/d?charset=latin1&time_zone=%27SYSTEM%27",
			contains: []string{"charset=latin1", "time_zone=%27SYSTEM%27", "parseTime=true"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b, err := backendFor(s.typ)
			if err != nil {
				t.Fatal(err)
			}
			w, r, err := b.dsns(s.in)
			if err != nil {
				t.Fatal(err)
			}
			if s.writer != "" && w != s.writer {
				t.Errorf("writer = %q, want %q", w, s.writer)
			}
			if s.reader != "" && r != s.reader {
				t.Errorf("reader = %q, want %q", r, s.reader)
			}
			for _, c := range s.contains {
				if !strings.Contains(w, c) {
					t.Errorf("writer %q lacks %q", w, c)
				}
			}
		})
	}
}

func TestOpenErrorIsOneLineWithoutPassword(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ typ, dsn, prefix string }{
		{"postgres", "host=127.0.0.1 port=1 user=u password=Sekr3tPw dbname=test sslmode=disable connect_timeout=5",
			"cannot connect to postgres at 127.0.0.1:1/test: "},
		{"postgres", "postgres://u:Sekr3tPw@127.0.0.1:1/test?sslmode=disable",
			"cannot connect to postgres at 127.0.0.1:1/test: "},
		{"mysql", "u:Sekr3tPw@tcp(127.0.0.1:1)/test", "cannot connect to mysql at 127.0.0.1:1/test: "},
		{"sqlite", "/dev/null/nope/x.db", "cannot connect to sqlite at /dev/null/nope/x.db: "},
		{"sqlite", "", "cannot connect to sqlite at : "},
	}
	for _, s := range scenarios {
		t.Run(s.typ, func(t *testing.T) {
			t.Parallel()
			d, err := Open(context.Background(), Config{Type: s.typ, DSN: s.dsn}, nil)
			if err == nil {
				d.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, s.prefix) || strings.Contains(msg, "Sekr3tPw") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line starting %q without the password", msg, s.prefix)
			}
		})
	}
}

func TestMapErrorPassesThrough(t *testing.T) {
	t.Parallel()
	plain := errors.New("plain")
	for _, typ := range []string{"sqlite", "postgres", "mysql"} {
		d, _ := DialectFor(typ)
		if got := d.MapError(plain); got != plain {
			t.Errorf("%s: MapError(plain) = %v", typ, got)
		}
		if typ == "sqlite" {
			for msg, want := range map[string]error{
				"constraint failed: UNIQUE constraint failed: t.a (2067)": ErrConflict,
				"NOT NULL constraint failed: t.b":                         ErrNotNull,
				"FOREIGN KEY constraint failed (787)":                     ErrForeignKey,
				"database is locked (5) (SQLITE_BUSY)":                    ErrBusy,
			} {
				if got := d.MapError(errors.New(msg)); !errors.Is(got, want) {
					t.Errorf("sqlite MapError(%q) = %v, want %v", msg, got, want)
				}
			}
		}
		once := d.MapError(ErrConflict)
		if once != ErrConflict {
			t.Errorf("%s: MapError(ErrConflict) = %v", typ, once)
		}
	}
}

func TestSQLiteFileAndTimes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "dir", "apiary.db")
	d, err := Open(context.Background(), Config{Type: "sqlite", DSN: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	ctx := context.Background()
	var mode string
	if err := d.R.GetContext(ctx, &mode, "PRAGMA journal_mode"); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE t (a TIMESTAMP, b DATETIME, c DATE, d timestamp)`); err != nil {
		t.Fatal(err)
	}
	in := time.Date(2026, 5, 6, 7, 8, 9, 987654321, time.FixedZone("", -7*3600))
	if _, err := d.W.ExecContext(ctx, `INSERT INTO t VALUES (?, ?, ?, ?)`, in, in, in, in); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := d.R.GetContext(ctx, &raw, `SELECT CAST(a AS TEXT) FROM t`); err != nil || raw != "2026-05-06 14:08:09.987654321+00:00" {
		t.Errorf("stored text = %q, %v", raw, err)
	}
	row, err := d.R.QueryxContext(ctx, `SELECT a, b, c, d FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer row.Close()
	row.Next()
	vals, err := row.SliceScan()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		tt, ok := v.(time.Time)
		if !ok || !tt.Equal(in) || tt.Location() != time.UTC {
			t.Errorf("column %d: %T %v, want %v in UTC with nanoseconds", i, v, v, in)
		}
	}
}
