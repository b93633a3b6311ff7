// Package cluster holds the end-to-end tests of several Apiary nodes on one
// PostgreSQL or MySQL database, joined by their embedded Olric members
// (docs/cluster.md). On SQLite they are skipped: a cluster needs a shared
// database, and a node with peers refuses to start on SQLite.
package cluster
