package db

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
)

// sqliteDialect is SQLite through the pure-Go modernc.org/sqlite driver.
type sqliteDialect struct{}

var _ backend = sqliteDialect{}

// sqlitePragmas are applied to every connection, busy_timeout first so that
// the others never fail with SQLITE_BUSY while another process holds a lock.
var sqlitePragmas = [...]string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(ON)", "synchronous(NORMAL)"}

// SQLite result codes (sqlite3.h); extended codes carry the primary in the low byte.
const (
	sqliteBusy            = 5
	sqliteLocked          = 6
	sqliteConstraintFK    = 787
	sqliteConstraintNN    = 1299
	sqliteConstraintPK    = 1555
	sqliteConstraintUniq  = 2067
	sqlitePrimaryCodeMask = 0xff
)

func (sqliteDialect) Name() string               { return "sqlite" }
func (sqliteDialect) InProcess() bool            { return true }
func (sqliteDialect) Quote(ident string) string  { return quoteWith(ident, '"') }
func (sqliteDialect) Rebind(query string) string { return query }
func (sqliteDialect) SupportsReturning() bool    { return true }
func (sqliteDialect) InlineIndexes() bool        { return false }

// TransactionalDDL reports whether DDL rolls back with the transaction.
func (sqliteDialect) TransactionalDDL() bool { return true }

// SingleWriter: see Dialect.
func (sqliteDialect) SingleWriter() bool        { return true }
func (sqliteDialect) CreateTableSuffix() string { return "" }
func (sqliteDialect) secret(string) string      { return "" }

func (sqliteDialect) LimitOffset(limit, offset int) string {
	return limitOffset(limit, offset, "-1")
}

func (d sqliteDialect) AutoIncrementPK(col string) string {
	return d.Quote(col) + " INTEGER PRIMARY KEY AUTOINCREMENT"
}

// ILike lowers both sides; SQLite's LIKE has no default escape character.
func (sqliteDialect) ILike(expr string) string {
	return "LOWER(" + expr + ") LIKE LOWER(?) ESCAPE '\\'"
}

func (sqliteDialect) MapError(err error) error {
	if out, done := mapCommon(err); done {
		return out
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch code := se.Code(); {
		case code == sqliteConstraintUniq || code == sqliteConstraintPK:
			return wrapAs(ErrConflict, err)
		case code == sqliteConstraintNN:
			return wrapAs(ErrNotNull, err)
		case code == sqliteConstraintFK:
			return wrapAs(ErrForeignKey, err)
		case code&sqlitePrimaryCodeMask == sqliteBusy || code&sqlitePrimaryCodeMask == sqliteLocked:
			return wrapAs(ErrBusy, err)
		}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return wrapAs(ErrConflict, err)
	case strings.Contains(msg, "NOT NULL constraint failed"):
		return wrapAs(ErrNotNull, err)
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return wrapAs(ErrForeignKey, err)
	case strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked"):
		return wrapAs(ErrBusy, err)
	}
	return err
}

func (sqliteDialect) Tables(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	return queryStrings(ctx, q, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
}

// Columns treats primary-key columns as NOT NULL, as PostgreSQL and MySQL do.
func (sqliteDialect) Columns(ctx context.Context, q sqlx.QueryerContext, table string) ([]ColumnInfo, error) {
	return queryColumns(ctx, q, `SELECT name, type, CASE WHEN "notnull" = 0 AND pk = 0 THEN 'YES' ELSE 'NO' END FROM pragma_table_info(?) ORDER BY cid`, table)
}

func (sqliteDialect) Indexes(ctx context.Context, q sqlx.QueryerContext, table string) ([]string, error) {
	return queryStrings(ctx, q, `SELECT name FROM pragma_index_list(?) WHERE origin <> 'pk' ORDER BY name`, table)
}

func (sqliteDialect) Catalog(ctx context.Context, q sqlx.QueryerContext) (map[string]*TableInfo, error) {
	return queryCatalog(ctx, q,
		`SELECT m.name, p.name, p.type, CASE WHEN p."notnull" = 0 AND p.pk = 0 THEN 'YES' ELSE 'NO' END
FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY m.name, p.cid`,
		`SELECT m.name, il.name FROM sqlite_master m JOIN pragma_index_list(m.name) il
WHERE m.type = 'table' AND il.origin <> 'pk' ORDER BY m.name, il.name`)
}

func (sqliteDialect) SchemaVersion(ctx context.Context, q sqlx.QueryerContext) (int64, bool, error) {
	var v int64
	if err := q.QueryRowxContext(ctx, "PRAGMA schema_version").Scan(&v); err != nil {
		return 0, false, err
	}
	return v, true, nil
}

func (d sqliteDialect) InsertReturningID(ctx context.Context, tx sqlx.ExtContext, query string, args ...any) (int64, error) {
	return insertReturning(ctx, d, tx, query, args)
}

// sqlitePath returns the file path of a DSN given as a path or a file: URI,
// and any query parameters it already carries.
func sqlitePath(raw string) (path string, params url.Values, err error) {
	raw = strings.TrimPrefix(strings.TrimSpace(raw), "file:")
	path, query, _ := strings.Cut(raw, "?")
	params, err = url.ParseQuery(query)
	return path, params, err
}

// isMemory reports whether path names an in-memory database, which cannot be
// shared between two pools.
func isMemory(path string) bool {
	return path == ":memory:" || path == ""
}

func (sqliteDialect) dsns(raw string) (writer, reader string, err error) {
	path, params, err := sqlitePath(raw)
	if err != nil {
		return "", "", err
	}
	if isMemory(path) {
		return "", "", errors.New("sqlite needs a file path (an in-memory database cannot be shared by the writer and reader pools)")
	}
	// Escape what a file: URI would misread in a path.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	var b strings.Builder
	b.WriteString("file:" + esc + "?")
	have := map[string]bool{}
	for _, p := range params["_pragma"] {
		have[pragmaName(p)] = true
	}
	sep := ""
	for _, p := range sqlitePragmas {
		if !have[pragmaName(p)] {
			b.WriteString(sep + "_pragma=" + p)
			sep = "&"
		}
	}
	if params.Get("_time_format") == "" {
		b.WriteString(sep + "_time_format=sqlite")
		sep = "&"
	}
	// Store and return times in UTC, so that text comparison orders them.
	if params.Get("_timezone") == "" {
		b.WriteString(sep + "_timezone=UTC")
		sep = "&"
	}
	if extra := params.Encode(); extra != "" {
		b.WriteString(sep + extra)
	}
	base := b.String()
	return base + "&_txlock=immediate", base + "&_query_only=1", nil
}

func (sqliteDialect) open(dsn string) (*sqlx.DB, error) { return sqlx.Open("sqlite", dsn) }

// prepare creates the folder that will hold the database file.
func (d sqliteDialect) prepare(raw string) error {
	dir := filepath.Dir(d.target(raw))
	if dir == "" || dir == "." {
		return nil
	}
	return os.MkdirAll(dir, 0o750)
}

func (sqliteDialect) target(raw string) string {
	path, _, _ := sqlitePath(raw)
	return path
}

// pragmaName returns the lower-case name of a _pragma value such as
// "busy_timeout(10000)" or "journal_mode=WAL".
func pragmaName(p string) string {
	end := strings.IndexAny(p, "(=")
	if end < 0 {
		end = len(p)
	}
	return strings.ToLower(strings.TrimSpace(p[:end]))
}
