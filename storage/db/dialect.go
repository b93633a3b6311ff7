package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Dialect is everything that differs between SQLite, PostgreSQL and MySQL.
// Code outside storage/db asks the Dialect instead of testing the driver name.
type Dialect interface {
	// SQLText is the SQL text of functions, casts and clauses that differ.
	SQLText
	// Name returns "sqlite", "postgres" or "mysql".
	Name() string
	// InProcess reports whether the database engine runs inside this
	// process, so its queries spend this process's CPU rather than
	// waiting on a server.
	InProcess() bool
	// Quote quotes an identifier, doubling any embedded quote character.
	Quote(ident string) string
	// Rebind turns ? placeholders into the dialect's own ($1, $2 … on PostgreSQL).
	Rebind(query string) string
	// LimitOffset returns a clause such as " LIMIT 10 OFFSET 20"; limit <= 0 means no limit.
	LimitOffset(limit, offset int) string
	// SupportsReturning reports whether INSERT … RETURNING works.
	SupportsReturning() bool
	// TransactionalDDL reports whether CREATE/ALTER roll back with the transaction.
	TransactionalDDL() bool
	// SingleWriter reports whether the database takes one writing
	// connection at a time (SQLite): the resource layer then groups
	// concurrent writes into shared transactions and caches prepared
	// statements per pool.
	SingleWriter() bool
	// InlineIndexes reports whether CREATE TABLE may declare its indexes
	// (MySQL), which is far faster there than one CREATE INDEX each.
	InlineIndexes() bool
	// AutoIncrementPK returns the full definition of an auto-increment BIGINT primary key column.
	AutoIncrementPK(col string) string
	// CreateTableSuffix returns what follows the closing parenthesis of CREATE TABLE.
	CreateTableSuffix() string
	// ILike returns a case-insensitive LIKE predicate on expr with one ? placeholder
	// for the pattern; backslash escapes % and _ in the pattern (see EscapeLike).
	ILike(expr string) string
	// MapError wraps driver errors with ErrConflict, ErrNotNull, ErrForeignKey,
	// ErrNotFound or ErrBusy, keeping the original in the chain; nil stays nil.
	MapError(err error) error
	// Tables lists the user tables of the current database or schema, sorted.
	Tables(ctx context.Context, q sqlx.QueryerContext) ([]string, error)
	// Columns describes the columns of table in declaration order.
	Columns(ctx context.Context, q sqlx.QueryerContext, table string) ([]ColumnInfo, error)
	// Indexes lists the names of the non-primary-key indexes on table, sorted.
	// Implicit indexes (for UNIQUE constraints, MySQL foreign keys) are included
	// and are named differently by each database.
	Indexes(ctx context.Context, q sqlx.QueryerContext, table string) ([]string, error)
	// Catalog reports the columns and indexes of every table at once, keyed
	// by table name as the database spells it: what Columns and Indexes
	// report one table at a time, in two queries instead of two per table.
	Catalog(ctx context.Context, q sqlx.QueryerContext) (map[string]*TableInfo, error)
	// SchemaVersion returns a counter the database bumps on every schema
	// change (SQLite's schema cookie), so that a caller who checked the
	// schema at one version knows it is unchanged while the counter is;
	// ok is false where there is no such counter (PostgreSQL, MySQL).
	SchemaVersion(ctx context.Context, q sqlx.QueryerContext) (version int64, ok bool, err error)
	// InsertReturningID runs an INSERT written with ? placeholders and returns the
	// new row's id column: RETURNING id on SQLite/PostgreSQL, LastInsertId on MySQL.
	InsertReturningID(ctx context.Context, tx sqlx.ExtContext, query string, args ...any) (int64, error)
}

// ColumnInfo describes one column of a live table as the database reports it.
type ColumnInfo struct {
	Name     string
	Type     string // declared type as the database spells it, e.g. "character varying(255)"
	Nullable bool
}

// backend is a Dialect plus what Open needs to connect with it.
type backend interface {
	Dialect
	// open creates a pool for one DSN returned by dsns, without connecting.
	open(dsn string) (*sqlx.DB, error)
	// dsns returns the writer and reader DSNs (equal when one pool serves both).
	dsns(raw string) (writer, reader string, err error)
	// target names the server or file for error messages, without credentials.
	target(raw string) string
	// prepare readies the target before connecting (SQLite: creates the file's folder).
	prepare(raw string) error
	// secret returns the password in raw, if any, so it can be scrubbed from errors.
	secret(raw string) string
}

// backendFor is the only place that turns a database type name into code.
func backendFor(typ string) (backend, error) {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "", "sqlite3", "sqlite":
		return sqliteDialect{}, nil
	case "postgres", "postgresql", "pgx":
		return postgresDialect{}, nil
	case "mysql", "mariadb":
		return mysqlDialect{}, nil
	}
	return nil, fmt.Errorf("unknown database type %q (want sqlite3, postgres or mysql)", typ)
}

// DialectFor returns the Dialect for a database type name as Config.Type accepts it,
// for code (such as DDL generators) that needs SQL text without a connection.
func DialectFor(typ string) (Dialect, error) {
	return backendFor(typ)
}

// EscapeLike escapes \, % and _ in s with a backslash so it matches literally
// inside a pattern passed to Dialect.ILike.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// quoteWith wraps ident in q, doubling any q inside it.
func quoteWith(ident string, q byte) string {
	var b strings.Builder
	b.Grow(len(ident) + 2)
	b.WriteByte(q)
	for i := 0; i < len(ident); i++ {
		if ident[i] == q {
			b.WriteByte(q)
		}
		b.WriteByte(ident[i])
	}
	b.WriteByte(q)
	return b.String()
}

// rebindDollar replaces each ? outside quoted strings, quoted identifiers and
// comments with $1, $2 …; "??" stays a literal "?" (for PostgreSQL JSON operators).
func rebindDollar(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+1])
			i += end
		case c == '?' && i+1 < len(query) && query[i+1] == '?':
			b.WriteByte('?')
			i++
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// limitOffset is the LIMIT/OFFSET clause shared by all dialects; noLimit is
// what the dialect needs in LIMIT when only an offset is given ("" to omit LIMIT).
func limitOffset(limit, offset int, noLimit string) string {
	var s string
	switch {
	case limit > 0:
		s = " LIMIT " + strconv.Itoa(limit)
	case offset > 0 && noLimit != "":
		s = " LIMIT " + noLimit
	}
	if offset > 0 {
		s += " OFFSET " + strconv.Itoa(offset)
	}
	return s
}

// mapCommon handles what is the same for every driver: nil, sql.ErrNoRows and
// errors mapped before. It returns done=true when the caller should return out.
func mapCommon(err error) (out error, done bool) {
	switch {
	case err == nil:
		return nil, true
	case alreadyMapped(err):
		return err, true
	case errors.Is(err, sql.ErrNoRows):
		return wrapAs(ErrNotFound, err), true
	}
	return err, false
}

// queryStrings runs a query whose first column is a string and collects it.
func queryStrings(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]string, error) {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// queryColumns runs a query returning (name, type, nullable) rows, where
// nullable is anything whose string form is "YES", "1", "true" or "t".
func queryColumns(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]ColumnInfo, error) {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ColumnInfo{}
	for rows.Next() {
		var name, typ, nullable string
		if err := rows.Scan(&name, &typ, &nullable); err != nil {
			return nil, err
		}
		out = append(out, ColumnInfo{Name: name, Type: typ, Nullable: isYes(nullable)})
	}
	return out, rows.Err()
}

// insertReturning appends RETURNING id to an INSERT and scans the id.
func insertReturning(ctx context.Context, d Dialect, tx sqlx.ExtContext, query string, args []any) (int64, error) {
	var id int64
	q := d.Rebind(strings.TrimRight(strings.TrimSpace(query), ";") + " RETURNING " + d.Quote("id"))
	if err := tx.QueryRowxContext(ctx, q, args...).Scan(&id); err != nil {
		return 0, d.MapError(err)
	}
	return id, nil
}
