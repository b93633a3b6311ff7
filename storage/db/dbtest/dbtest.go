// Package dbtest gives each test a fresh, empty database of the dialect the
// environment selects, and removes it when the test ends.
//
// APIARY_TEST_DB picks the dialect: "sqlite" (the default), "postgres" or
// "mysql". The servers are reached through APIARY_TEST_POSTGRES (default
// "host=127.0.0.1 user=postgres dbname=test sslmode=disable") and
// APIARY_TEST_MYSQL (default "root@tcp(127.0.0.1:3306)/test"); each test gets
// its own database apiary_t_<random hex> on that server. An unreachable server
// fails the test rather than skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/apiary/apiary/storage/db"
)

// Environment variables read by this package.
const (
	EnvDB       = "APIARY_TEST_DB"
	EnvPostgres = "APIARY_TEST_POSTGRES"
	EnvMySQL    = "APIARY_TEST_MYSQL"
)

// Default server DSNs used when the environment sets none.
const (
	DefaultPostgresDSN = "host=127.0.0.1 user=postgres dbname=test sslmode=disable"
	DefaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test"
)

// setupTimeout bounds creating or dropping one test database.
const setupTimeout = 30 * time.Second

// Type returns the dialect the environment selects: "sqlite", "postgres" or "mysql".
func Type() string {
	switch t := strings.ToLower(strings.TrimSpace(os.Getenv(EnvDB))); t {
	case "", "sqlite", "sqlite3":
		return "sqlite"
	case "postgres", "postgresql", "pg":
		return "postgres"
	case "mysql", "mariadb":
		return "mysql"
	default:
		return t
	}
}

// Open returns a fresh, empty database for the selected dialect, opened with
// db.Open and closed (then dropped) in t.Cleanup. Logs go to the test output.
func Open(t testing.TB) *db.DB {
	t.Helper()
	typ, dsn := NewDSN(t)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := db.Open(context.Background(), db.Config{Type: typ, DSN: dsn, MaxOpenConns: 4}, log)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("dbtest: close: %v", err)
		}
	})
	return d
}

// NewDSN creates a fresh, empty database for the selected dialect and returns
// the Config.Type and Config.DSN that reach it, for tests that boot the whole
// server. The database is dropped in t.Cleanup.
func NewDSN(t testing.TB) (dbType, dsn string) {
	t.Helper()
	switch typ := Type(); typ {
	case "sqlite":
		return "sqlite3", filepath.Join(t.TempDir(), "apiary.db")
	case "postgres":
		return "postgres", newServerDB(t, typ, envOr(EnvPostgres, DefaultPostgresDSN))
	case "mysql":
		return "mysql", newServerDB(t, typ, envOr(EnvMySQL, DefaultMySQLDSN))
	default:
		t.Fatalf("dbtest: %s=%q: want sqlite, postgres or mysql", EnvDB, typ)
		return "", ""
	}
}

// envOr returns the environment variable key, or def when it is unset or empty.
func envOr(key, def string) string {
	if v := strings.TrimSpace(os.Getenv(key)); v != "" {
		return v
	}
	return def
}

// newServerDB creates apiary_t_<hex> on the server adminDSN reaches and
// returns a DSN for it; t.Cleanup drops it.
func newServerDB(t testing.TB, typ, adminDSN string) string {
	t.Helper()
	name := "apiary_t_" + randomHex(t)
	dsn, err := withDatabase(typ, adminDSN, name)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	admin := openAdmin(t, typ, adminDSN)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	create := "CREATE DATABASE " + admin.Dialect.Quote(name)
	if typ == "mysql" {
		create += " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	}
	if _, err := admin.W.ExecContext(ctx, create); err != nil {
		t.Fatalf("dbtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, typ, adminDSN, name) })
	return dsn
}

// dropDatabase removes a test database, disconnecting stragglers on PostgreSQL.
func dropDatabase(t testing.TB, typ, adminDSN, name string) {
	admin := openAdmin(t, typ, adminDSN)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	drop := "DROP DATABASE IF EXISTS " + admin.Dialect.Quote(name)
	if typ == "postgres" {
		drop += " WITH (FORCE)"
	}
	if _, err := admin.W.ExecContext(ctx, drop); err != nil {
		t.Errorf("dbtest: drop database %s: %v", name, err)
	}
}

// openAdmin connects to the server's maintenance database or fails the test
// with a message saying which variable to set.
func openAdmin(t testing.TB, typ, adminDSN string) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := db.Open(ctx, db.Config{Type: typ, DSN: adminDSN, MaxOpenConns: 1}, nil)
	if err != nil {
		env := EnvPostgres
		if typ == "mysql" {
			env = EnvMySQL
		}
		t.Fatalf("dbtest: %s=%s needs a reachable server (set %s): %v", EnvDB, typ, env, err)
	}
	return admin
}

// withDatabase rewrites a server DSN to name another database on the same server.
func withDatabase(typ, dsn, name string) (string, error) {
	switch typ {
	case "mysql":
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			return "", err
		}
		cfg.DBName = name
		return cfg.FormatDSN(), nil
	default:
		if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
			u, err := url.Parse(dsn)
			if err != nil {
				return "", err
			}
			u.Path = "/" + name
			return u.String(), nil
		}
		// In libpq key=value strings the last occurrence of a key wins.
		return dsn + " dbname=" + name, nil
	}
}

// randomHex returns 16 random hex digits for a database name.
func randomHex(t testing.TB) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("dbtest: random name: %v", err)
	}
	return hex.EncodeToString(b[:])
}
