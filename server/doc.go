// Package server wires Apiary together: configuration, the database, the
// schema holder, the resource layer, the HTTP router and middleware, and the
// lifecycle of every listener. It is imported only by cmd/apiary and
// test/testserver.
//
// It may import every package of Apiary's except cmd and test.
package server
