// Package daybed serves the Daybed REST dialect under /v1 (fields, tokens,
// models, definitions, records, permissions) over the resource layer.
//
// A Daybed model is an Apiary table created live: PUT or POST
// /v1/models writes schema_daybed_<name>.json into the schema folder (the
// table, plus the Daybed definition and permissions under the key
// "Daybed") and reloads the schema, so the records are rows every other
// surface sees. Daybed permissions are kept as given (GET answers what was
// PUT) and are also turned into Apiary permission bits: the table gate (the
// world row, owned by the model's creator), the records' guest and owner
// bits, and group links of both to the "users" group (system.Authenticated)
// and to one personal usergroup per credentials id, so JSON:API, GraphQL
// and Daybed decide alike.
//
// Callers authenticate with Hawk (credentials from POST /v1/tokens, derived
// from the token with HKDF-SHA256 as requests-hawk does) or with an Apiary
// Bearer token. Errors are Daybed's (cornice) JSON bodies:
// {"status": "error", "errors": [{"location", "name", "description"}]},
// and {"error": "401 Unauthorized", "msg": ...} for refusals.
//
// It may import resource, auth and schema.
package daybed
