// Package resource is the one generic resource layer every surface uses:
// list, get, create, update, delete and relationships for any table of the
// live schema, with filtering, sorting, pagination and includes, permission
// checks (table gates in Go, row predicates in SQL), validation by column
// type, standard columns, audit rows and change events after commit.
// The caller travels in the context as an auth.Principal. Read stamps
// (stamp.go) tell callers when a cached answer is stale; the layer itself
// keeps table gates, counts and ordered id lists of list queries
// (list_order.go, list_follow.go) that no committed change can leave stale.
//
// Its contract is Service (types.go): Core plus BulkCreator, RowLister,
// TextImporter, RowStreamer, Stamper and ChildReader, all asserted on the
// implementation at compile time, so no caller finds a capability by type
// assertion. Listeners outside HTTP depend on Sidecar (sidecar.go).
//
// Besides CRUD (create.go, get.go, list*.go, update.go, delete.go,
// relations.go, include.go) and permissions (tableperm.go,
// permission_sql.go, principal.go), it holds config.go (the _config
// store), stamp.go (the read stamp), cache.go, stmtcache.go and
// groupcommit.go (the caches and SQLite group commit), and applies its
// sub-packages inside its transactions:
//   - resource/aggregate, the aggregate query compiler (aggregate.go here
//     gates the tables and is its Host);
//   - resource/bulk, the multi-row INSERTs of bulk*.go (bulk and text
//     import; export streaming is export_rows*.go);
//   - resource/statemachine, the rules of state tracking (statemachine.go
//     here loads, checks, writes and audits);
//   - resource/internal/sqlval, value conversion shared with them.
//
// Start-up seeding is resource/bootstrap, which imports this package (not
// the reverse).
//
// It may import schema, storage/db, auth, internal/pipeline and its
// sub-packages aggregate, bulk, statemachine and internal/sqlval.
package resource
