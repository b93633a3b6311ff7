// Package migrations turns a compiled schema into DDL for the connected
// dialect and applies only the difference to a live database: missing
// tables, columns and indexes are created; nothing is ever dropped, so user
// data is never lost implicitly. Every applied statement is recorded in the
// _apiary_migration ledger table. On SQLite the ledger also holds a
// "verified" mark (schema fingerprint and schema cookie) that lets a restart
// with nothing changed skip reading the catalogue (verified.go).
//
// It may import schema and storage/db; dialect differences in the DDL are
// answered by the db.Dialect, never by testing its name.
package migrations
