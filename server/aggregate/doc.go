// Package aggregate serves the aggregate API, GET and POST
// /aggregate/{entity} (contract core.md §8), over resource.Service.
//
// The query comes from URL parameters (column, group, filter, having, join,
// order, timesample, timefrom, timeto, timecolumn; each repeatable and each
// value possibly a comma list) and, on POST, from a JSON object with the
// same keys (strings or arrays of strings) or a form-urlencoded body.
// Answers are JSON:API-like documents of aggregate_{entity} rows; errors
// are JSON:API error documents (400 for a bad query, 403, 404, 500).
//
// It may import resource, server/httperr and server/respcache.
package aggregate
