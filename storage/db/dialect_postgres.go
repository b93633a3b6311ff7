package db

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// postgresDialect is PostgreSQL through pgx's database/sql adapter.
type postgresDialect struct{}

var _ backend = postgresDialect{}

// PostgreSQL SQLSTATE codes that MapError translates.
const (
	pgUniqueViolation      = "23505"
	pgNotNullViolation     = "23502"
	pgForeignKeyViolation  = "23503"
	pgDeadlockDetected     = "40P01"
	pgSerializationFailure = "40001"
	pgLockNotAvailable     = "55P03"
)

func (postgresDialect) Name() string               { return "postgres" }
func (postgresDialect) InProcess() bool            { return false }
func (postgresDialect) Quote(ident string) string  { return quoteWith(ident, '"') }
func (postgresDialect) Rebind(query string) string { return rebindDollar(query) }
func (postgresDialect) SupportsReturning() bool    { return true }
func (postgresDialect) InlineIndexes() bool        { return false }

// TransactionalDDL reports whether DDL rolls back with the transaction.
func (postgresDialect) TransactionalDDL() bool { return true }

// SingleWriter: see Dialect.
func (postgresDialect) SingleWriter() bool        { return false }
func (postgresDialect) CreateTableSuffix() string { return "" }

func (postgresDialect) LimitOffset(limit, offset int) string {
	return limitOffset(limit, offset, "")
}

func (d postgresDialect) AutoIncrementPK(col string) string {
	return d.Quote(col) + " BIGSERIAL PRIMARY KEY"
}

// ILike uses PostgreSQL's ILIKE, whose default escape character is backslash.
func (postgresDialect) ILike(expr string) string {
	return expr + " ILIKE ?"
}

func (postgresDialect) MapError(err error) error {
	if out, done := mapCommon(err); done {
		return out
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case pgUniqueViolation:
		return wrapAs(ErrConflict, err)
	case pgNotNullViolation:
		return wrapAs(ErrNotNull, err)
	case pgForeignKeyViolation:
		return wrapAs(ErrForeignKey, err)
	case pgDeadlockDetected, pgSerializationFailure, pgLockNotAvailable:
		return wrapAs(ErrBusy, err)
	}
	return err
}

func (postgresDialect) Tables(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	return queryStrings(ctx, q, `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
}

// Columns reports types through format_type, so lengths are kept: "character varying(255)".
func (postgresDialect) Columns(ctx context.Context, q sqlx.QueryerContext, table string) ([]ColumnInfo, error) {
	return queryColumns(ctx, q, `SELECT a.attname, format_type(a.atttypid, a.atttypmod),
CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, table)
}

func (postgresDialect) Indexes(ctx context.Context, q sqlx.QueryerContext, table string) ([]string, error) {
	return queryStrings(ctx, q, `SELECT ic.relname FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = tc.relnamespace
WHERE n.nspname = current_schema() AND tc.relname = $1 AND NOT i.indisprimary
ORDER BY ic.relname`, table)
}

// SchemaVersion: there is no schema change counter.
func (postgresDialect) SchemaVersion(context.Context, sqlx.QueryerContext) (int64, bool, error) {
	return 0, false, nil
}

func (postgresDialect) Catalog(ctx context.Context, q sqlx.QueryerContext) (map[string]*TableInfo, error) {
	return queryCatalog(ctx, q, `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`, `SELECT tc.relname, ic.relname FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = tc.relnamespace
WHERE n.nspname = current_schema() AND NOT i.indisprimary
ORDER BY tc.relname, ic.relname`)
}

func (d postgresDialect) InsertReturningID(ctx context.Context, tx sqlx.ExtContext, query string, args ...any) (int64, error) {
	return insertReturning(ctx, d, tx, query, args)
}

// isPostgresURL reports whether raw is a URL rather than libpq key=value pairs.
func isPostgresURL(raw string) bool {
	return strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://")
}

// dsns adds timezone=UTC unless the DSN sets a time zone, so timestamptz
// values come back in UTC.
func (postgresDialect) dsns(raw string) (writer, reader string, err error) {
	raw = strings.TrimSpace(raw)
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return "", "", errors.New("invalid postgres DSN")
	}
	for k := range cfg.RuntimeParams {
		if strings.EqualFold(k, "timezone") {
			return raw, raw, nil
		}
	}
	if isPostgresURL(raw) {
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", errors.New("invalid postgres DSN")
		}
		v := u.Query()
		v.Set("timezone", "UTC")
		u.RawQuery = v.Encode()
		raw = u.String()
	} else {
		raw += " timezone=UTC"
	}
	return raw, raw, nil
}

// open builds the pool through pgx so that every connection returns
// timestamptz values in UTC (pgx's default is time.Local), as the other
// dialects do.
func (postgresDialect) open(dsn string) (*sqlx.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("invalid postgres DSN")
	}
	utc := stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{
			Name:  "timestamptz",
			OID:   pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	})
	return sqlx.NewDb(stdlib.OpenDB(*cfg, utc), "pgx"), nil
}

func (postgresDialect) prepare(string) error { return nil }

func (postgresDialect) target(raw string) string {
	cfg, err := pgx.ParseConfig(strings.TrimSpace(raw))
	if err != nil {
		return "(unparsable DSN)"
	}
	host := cfg.Host
	if !strings.HasPrefix(host, "/") {
		host = net.JoinHostPort(host, strconv.Itoa(int(cfg.Port)))
	}
	return host + "/" + cfg.Database
}

func (postgresDialect) secret(raw string) string {
	cfg, err := pgx.ParseConfig(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return cfg.Password
}
