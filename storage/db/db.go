package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Pool sizes used when Config leaves them at zero.
const (
	defaultMaxOpen   = 50
	defaultMaxIdle   = 10
	maxSQLiteReaders = 8
	pingTimeout      = 15 * time.Second
)

// Config selects and tunes the database.
type Config struct {
	// Type is "sqlite3" (the default; "sqlite" is accepted), "postgres" or "mysql".
	Type string
	// DSN is a file path for SQLite; libpq key=value pairs or a postgres:// URL
	// for PostgreSQL; "user:pass@tcp(host:port)/db" for MySQL.
	DSN string
	// MaxOpenConns caps the pool (default 50 for PostgreSQL/MySQL, two SQLite readers per CPU, at most 8).
	MaxOpenConns int
	// MaxIdleConns is the number of idle connections kept (default 10; SQLite readers: MaxOpenConns).
	MaxIdleConns int
	// ConnMaxLifetime closes connections older than this; zero keeps them.
	ConnMaxLifetime time.Duration
}

// DB is an open database: a writer pool, a reader pool and the Dialect that
// says how to talk to them.
type DB struct {
	// W is the writer pool; on SQLite it has exactly one connection.
	W *sqlx.DB
	// R is the reader pool: a separate read-only pool on SQLite, W otherwise.
	R *sqlx.DB
	// Dialect describes the SQL differences of this database.
	Dialect Dialect
	target  string
}

// Open connects to the database cfg describes, tunes its pools and pings it.
// Connection failures come back as one line naming the type and the server
// or file, never the password.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b, err := backendFor(cfg.Type)
	if err != nil {
		return nil, err
	}
	wdsn, rdsn, err := b.dsns(cfg.DSN)
	if err != nil {
		return nil, connectError(b, cfg.DSN, err)
	}
	if err := b.prepare(cfg.DSN); err != nil {
		return nil, connectError(b, cfg.DSN, err)
	}
	w, err := openPool(ctx, b, cfg.DSN, wdsn)
	if err != nil {
		return nil, err
	}
	d := &DB{W: w, R: w, Dialect: b, target: b.target(cfg.DSN)}
	if wdsn == rdsn {
		setPool(w, cfg.MaxOpenConns, cfg.MaxIdleConns, defaultMaxOpen, defaultMaxIdle, cfg.ConnMaxLifetime)
	} else {
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(cfg.ConnMaxLifetime)
		// The reader pool connects on first use: the writer's ping has
		// already proved that the file opens, and every SQLite connection
		// parses the whole schema and keeps its own copy of it, so an
		// eager reader costs start-up time and memory before any read.
		r, err := b.open(rdsn)
		if err != nil {
			_ = w.Close()
			return nil, connectError(b, cfg.DSN, err)
		}
		setPool(r, cfg.MaxOpenConns, cfg.MaxIdleConns, sqliteReaders(), 0, cfg.ConnMaxLifetime)
		d.R = r
	}
	log.InfoContext(ctx, "database opened", "type", b.Name(), "target", d.target,
		"max_open_conns", d.R.Stats().MaxOpenConnections)
	return d, nil
}

// Target names the file or server the database is on, without
// credentials, for logs and messages.
func (d *DB) Target() string { return d.target }

// openPool opens one pool and pings it so that a bad DSN fails at start.
func openPool(ctx context.Context, b backend, raw, dsn string) (*sqlx.DB, error) {
	p, err := b.open(dsn)
	if err != nil {
		return nil, connectError(b, raw, err)
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		_ = p.Close()
		return nil, connectError(b, raw, err)
	}
	return p, nil
}

// setPool applies the configured sizes or the defaults; idle 0 means "as many as open".
func setPool(p *sqlx.DB, maxOpen, maxIdle, defOpen, defIdle int, life time.Duration) {
	if maxOpen <= 0 {
		maxOpen = defOpen
	}
	if maxIdle <= 0 {
		maxIdle = defIdle
	}
	if maxIdle <= 0 || maxIdle > maxOpen {
		maxIdle = maxOpen
	}
	p.SetMaxOpenConns(maxOpen)
	p.SetMaxIdleConns(maxIdle)
	p.SetConnMaxLifetime(life)
}

// connectError builds the one-line "cannot connect" error from the innermost
// cause, with any password scrubbed out.
func connectError(b backend, raw string, err error) error {
	msg := strings.Join(strings.Fields(rootCause(err).Error()), " ")
	if pw := b.secret(raw); pw != "" {
		msg = strings.ReplaceAll(msg, pw, "***")
	}
	return fmt.Errorf("cannot connect to %s at %s: %s", b.Name(), b.target(raw), msg)
}

// rootCause follows the error chain to its innermost error, so that a
// network failure reads "connection refused" rather than three nested
// prefixes; it follows joined errors only when there is exactly one.
func rootCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) == 1 {
				next = errs[0]
			}
		}
		if next == nil {
			return err
		}
		err = next
	}
}

// WriterView returns a DB whose reads go to the writer pool too. Start-up
// code that reads a few rows right after writing (the seed check, the
// secrets) uses it so that no reader connection is opened before the first
// request needs one. Closing the view closes the writer pool.
func (d *DB) WriterView() *DB { return &DB{W: d.W, R: d.W, Dialect: d.Dialect, target: d.target} }

// Close closes the reader pool and then the writer pool.
func (d *DB) Close() error {
	var errR error
	if d.R != nil && d.R != d.W {
		errR = d.R.Close()
	}
	return errors.Join(errR, d.W.Close())
}

// InTx runs fn in a transaction on the writer pool. It rolls back when fn
// returns an error or panics (and then re-panics), and commits otherwise.
// Errors from fn and from commit pass through Dialect.MapError.
func (d *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	return d.InTxAround(ctx, fn, nil)
}

// InTxAround is InTx where around, when not nil, runs the commit: it is
// called with the commit and returns its error, so a caller can hold a lock
// across the commit and act on its outcome before releasing it.
func (d *DB) InTxAround(ctx context.Context, fn func(tx *sqlx.Tx) error, around func(commit func() error) error) (err error) {
	tx, err := d.W.BeginTxx(ctx, nil)
	if err != nil {
		return d.Dialect.MapError(fmt.Errorf("begin: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(d.Dialect.MapError(err), fmt.Errorf("rollback: %w", rbErr))
		}
		return d.Dialect.MapError(err)
	}
	if around == nil {
		around = func(commit func() error) error { return commit() }
	}
	if err := around(tx.Commit); err != nil {
		return d.Dialect.MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Stats reports the dialect and pool counters, for the /statistics endpoint.
func (d *DB) Stats() map[string]any {
	out := map[string]any{
		"dialect": d.Dialect.Name(),
		"writer":  poolStats(d.W.Stats()),
	}
	if d.R != d.W {
		out["reader"] = poolStats(d.R.Stats())
	}
	return out
}

// poolStats flattens sql.DBStats into JSON-friendly fields.
func poolStats(s sql.DBStats) map[string]any {
	return map[string]any{
		"max_open_connections": s.MaxOpenConnections,
		"open_connections":     s.OpenConnections,
		"in_use":               s.InUse,
		"idle":                 s.Idle,
		"wait_count":           s.WaitCount,
		"wait_duration_ms":     s.WaitDuration.Milliseconds(),
		"max_idle_closed":      s.MaxIdleClosed,
		"max_lifetime_closed":  s.MaxLifetimeClosed,
	}
}

// sqliteReaders is the default size of the SQLite reader pool: two per
// CPU, at least 2 and at most maxSQLiteReaders. Readers are CPU-bound, and
// each connection keeps its own parsed schema and page cache (up to 2 MiB),
// so more connections than cores only cost memory.
func sqliteReaders() int { return max(2, min(maxSQLiteReaders, 2*runtime.GOMAXPROCS(0))) }
