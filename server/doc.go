// Package server wires Apiary together: configuration, the database, the
// schema holder, the resource layer, the HTTP router and middleware, and the
// lifecycle of every listener. It is imported only by cmd/apiary and
// test/testserver.
package server
