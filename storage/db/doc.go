// Package db opens Apiary's database and hides the differences between SQLite,
// PostgreSQL and MySQL/MariaDB behind one Dialect.
//
// Everything dialect-specific lives here: DSN tuning, identifier quoting,
// placeholder rebinding, pagination, auto-increment keys, case-insensitive
// matching, driver-error mapping and schema introspection. Code above this
// package writes SQL with ? placeholders, quotes identifiers with
// Dialect.Quote, runs every write inside DB.InTx and tests errors with
// errors.Is against ErrConflict, ErrNotNull, ErrForeignKey, ErrNotFound and
// ErrBusy; it never inspects a driver error itself.
//
// SQLite gets two pools on the same file: a writer with exactly one
// connection (BEGIN IMMEDIATE, so writers queue instead of failing with
// SQLITE_BUSY) and a read-only reader pool, both in WAL mode; the reader
// pool opens its first connection when the first read needs it. PostgreSQL
// and MySQL use one pool for both.
//
// Values scanned into any differ by driver; see the package tests
// (TestScanAnyShapes) for the exact Go types each driver returns.
//
// The SQL text of functions, casts and clauses that differ is SQLText
// (sqltext_<dialect>.go) and the column types of DDL (coltype_<dialect>.go),
// part of Dialect: no package above this one
// branches on Dialect.Name(). It imports nothing else of Apiary's.
package db
