// Package openapi generates an OpenAPI 3 document from the live schema and
// serves it. The document model is this package's own (model.go); the
// tests load and validate the output with kin-openapi.
//
// The document covers every route of the server: per table the JSON:API
// collection, item, related and relationships routes; one path per action
// (/action/{type}/{name}) with the action's in-fields as its request body;
// and the fixed routes (ping, token, config, state machine tracking,
// aggregates, GraphQL, discovery, feeds, metrics and this document itself).
//
// It is kept compact: shared JSON:API envelopes, parameters and responses
// are components referenced with $ref, and the related and relationships
// routes of a table are one path each, with a {relation} path parameter
// whose enum lists that table's relation names (never table names: a
// relation route is /api/todo/{id}/project_id, not /api/todo/{id}/project).
//
// Handler serves the document as YAML at /openapi.yaml and /apispec.yaml
// (Content-Type application/yaml, RFC 9512; Daptin sends text/plain) and
// as JSON at /openapi.json (application/json). It is generated on first
// use for each *schema.Schema and cached until the live schema pointer
// changes, answers HEAD, and sets a strong ETag so If-None-Match gives 304.
//
// It may import schema and server/httperr.
package openapi
