// Package resource is the one generic resource layer every surface uses:
// list, get, create, update, delete and relationships for any table of the
// live schema, with filtering, sorting, pagination and includes, permission
// checks (table gates in Go, row predicates in SQL), validation by column
// type, standard columns, audit rows and change events after commit.
// The caller travels in the context as an auth.Principal. Read stamps
// (stamp.go) tell callers when a cached answer is stale; the layer itself
// keeps table gates, counts and ordered id lists of list queries
// (list_order.go, list_follow.go) that no committed change can leave stale.
package resource
