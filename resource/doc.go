// Package resource is the one generic resource layer every surface uses:
// list, get, create, update, delete and relationships for any table of the
// live schema, with filtering, sorting, pagination and includes, permission
// checks (table gates in Go, row predicates in SQL), validation by column
// type, standard columns, audit rows and change events after commit.
// The caller travels in the context as an auth.Principal.
package resource
