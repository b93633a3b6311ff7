// Package bootstrap is start-up seeding (contract core.md §1.4): after
// migrations, Run writes the default _config values that are missing, the
// built-in usergroups and guest account, and brings the world rows (one per
// table), action rows and state machine rows in step with the schema, with
// the usergroup links their AccessGroups name (groups.go). It is
// idempotent, runs in one transaction and rewrites only what differs
// (sync.go).
//
// It writes through storage/db directly, below the resource Service (no
// principal exists yet). It may import resource (error kinds, config keys,
// SeedConfig), resource/internal/sqlval, schema, storage/db and auth;
// resource does not import it.
package bootstrap
