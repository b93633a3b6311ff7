package db

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// mysqlDialect is MySQL or MariaDB through go-sql-driver/mysql.
type mysqlDialect struct{}

var _ backend = mysqlDialect{}

// MySQL error numbers that MapError translates.
const (
	myDupEntry         = 1062
	myBadNull          = 1048
	myNoDefault        = 1364
	myRowIsReferenced  = 1451
	myNoReferencedRow  = 1452
	myRowIsReferenced0 = 1217
	myNoReferencedRow0 = 1216
	myDeadlock         = 1213
	myLockWaitTimeout  = 1205
)

// mysqlNoLimit is the largest LIMIT MySQL accepts, its documented way to say
// "no limit" when only an OFFSET is wanted.
const mysqlNoLimit = "18446744073709551615"

func (mysqlDialect) Name() string               { return "mysql" }
func (mysqlDialect) InProcess() bool            { return false }
func (mysqlDialect) Quote(ident string) string  { return quoteWith(ident, '`') }
func (mysqlDialect) Rebind(query string) string { return query }
func (mysqlDialect) SupportsReturning() bool    { return false }
func (mysqlDialect) InlineIndexes() bool        { return true }

// TransactionalDDL reports whether DDL rolls back with the transaction.
func (mysqlDialect) TransactionalDDL() bool { return false }

// SingleWriter: see Dialect.
func (mysqlDialect) SingleWriter() bool { return false }

func (mysqlDialect) CreateTableSuffix() string {
	return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
}

func (mysqlDialect) LimitOffset(limit, offset int) string {
	return limitOffset(limit, offset, mysqlNoLimit)
}

func (d mysqlDialect) AutoIncrementPK(col string) string {
	return d.Quote(col) + " BIGINT AUTO_INCREMENT PRIMARY KEY"
}

// ILike lowers both sides so binary and case-sensitive collations match too;
// MySQL's default LIKE escape character is backslash.
func (mysqlDialect) ILike(expr string) string {
	return "LOWER(" + expr + ") LIKE LOWER(?)"
}

func (mysqlDialect) MapError(err error) error {
	if out, done := mapCommon(err); done {
		return out
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return err
	}
	switch me.Number {
	case myDupEntry:
		return wrapAs(ErrConflict, err)
	case myBadNull, myNoDefault:
		return wrapAs(ErrNotNull, err)
	case myRowIsReferenced, myNoReferencedRow, myRowIsReferenced0, myNoReferencedRow0:
		return wrapAs(ErrForeignKey, err)
	case myDeadlock, myLockWaitTimeout:
		return wrapAs(ErrBusy, err)
	}
	return err
}

func (mysqlDialect) Tables(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	return queryStrings(ctx, q, `SELECT table_name FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name`)
}

func (mysqlDialect) Columns(ctx context.Context, q sqlx.QueryerContext, table string) ([]ColumnInfo, error) {
	return queryColumns(ctx, q, `SELECT column_name, column_type, is_nullable FROM information_schema.columns
WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`, table)
}

func (mysqlDialect) Indexes(ctx context.Context, q sqlx.QueryerContext, table string) ([]string, error) {
	return queryStrings(ctx, q, `SELECT DISTINCT index_name FROM information_schema.statistics
WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' ORDER BY index_name`, table)
}

// SchemaVersion: there is no schema change counter.
func (mysqlDialect) SchemaVersion(context.Context, sqlx.QueryerContext) (int64, bool, error) {
	return 0, false, nil
}

func (mysqlDialect) Catalog(ctx context.Context, q sqlx.QueryerContext) (map[string]*TableInfo, error) {
	return queryCatalog(ctx, q, `SELECT table_name, column_name, column_type, is_nullable FROM information_schema.columns
WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`,
		`SELECT DISTINCT table_name, index_name FROM information_schema.statistics
WHERE table_schema = DATABASE() AND index_name <> 'PRIMARY' ORDER BY table_name, index_name`)
}

func (d mysqlDialect) InsertReturningID(ctx context.Context, tx sqlx.ExtContext, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, d.MapError(err)
	}
	id, err := res.LastInsertId()
	return id, d.MapError(err)
}

// mysqlParams returns the query parameters that FormatDSN wrote for cfg.
func mysqlParams(cfg *mysql.Config) url.Values {
	s := cfg.FormatDSN()
	_, query, _ := strings.Cut(s[strings.LastIndexByte(s, '/'):], "?")
	v, _ := url.ParseQuery(query)
	return v
}

// dsns parses the DSN and adds parseTime, utf8mb4 with the unicode collation,
// loc=UTC and the session time_zone '+00:00', each unless already set.
func (mysqlDialect) dsns(raw string) (writer, reader string, err error) {
	cfg, err := mysql.ParseDSN(strings.TrimSpace(raw))
	if err != nil {
		return "", "", errors.New("invalid mysql DSN (want user:pass@tcp(host:port)/db)")
	}
	have := mysqlParams(cfg)
	cfg.ParseTime = true
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	if have.Get("charset") == "" {
		coll := cfg.Collation
		if coll == "" {
			coll = "utf8mb4_unicode_ci"
		}
		if err := cfg.Apply(mysql.Charset("utf8mb4", coll)); err != nil {
			return "", "", err
		}
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	if _, ok := cfg.Params["time_zone"]; !ok {
		cfg.Params["time_zone"] = "'+00:00'"
	}
	s := cfg.FormatDSN()
	return s, s, nil
}

func (mysqlDialect) open(dsn string) (*sqlx.DB, error) { return sqlx.Open("mysql", dsn) }

func (mysqlDialect) prepare(string) error { return nil }

func (mysqlDialect) target(raw string) string {
	cfg, err := mysql.ParseDSN(strings.TrimSpace(raw))
	if err != nil {
		return "(unparsable DSN)"
	}
	return cfg.Addr + "/" + cfg.DBName
}

func (mysqlDialect) secret(raw string) string {
	cfg, err := mysql.ParseDSN(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return cfg.Passwd
}
