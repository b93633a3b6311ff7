// Package schema owns Apiary's entity model: tables, columns, relations,
// actions and state machines as users write them in schema_*.json|yaml|toml
// files, the built-in system schema, the column type registry, and the
// compilation step that derives standard columns, implicit relations, join
// tables and per-table API links. It imports nothing else of Apiary's.
package schema
