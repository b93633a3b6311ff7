// Package actions runs Daptin-style actions: POST /action/{type}/{name}
// with {"attributes": {...}} answers a JSON array of client instructions
// ({ResponseType, Attributes}). It holds the registry of built-in
// performers (signup, signin, become_an_administrator, ...), checks
// execute permission through the resource layer, validates in-fields and
// maps failures to the same array shape with the right HTTP status.
//
// It may import resource, auth, schema and internal/pipeline; server wires
// it and nothing else imports it except server/graphql (which runs
// actions).
package actions
