// Package sqlval holds what the resource layer and its sub-packages
// (aggregate, bulk, bootstrap, statemachine) share below the Service
// contract: how a column's storage kind converts values to and from the
// driver (values.go), public ids as stored bytes, and the small pieces of
// statement text every reader and writer builds (sql.go).
//
// It may import schema and storage/db; it must not import resource or any
// of its sub-packages, so each of them can import it.
package sqlval
