// Package discovery serves the read-only endpoints clients and operators
// use to learn about a running Apiary (contract core.md §10.1, §10.3):
//
//   - GET /meta?query=column_types: the column type registry, cached for a
//     day (weak ETag, 304 on If-None-Match), byte-compatible with Daptin.
//   - GET /jsmodel/{entity}[.js|.json]: a table's column model, relations,
//     actions and linked state machines, as the Daptin JS client expects.
//   - GET /api/health and GET /api/status: liveness and a short summary.
//   - GET /statistics: runtime, pool and request counters, for
//     administrators only (Daptin shows host details to anyone).
//   - GET /metrics: Prometheus text exposition format 0.0.4, for
//     administrators or any caller on a loopback address.
//
// Metrics counts requests: install Metrics.Middleware on the root router so
// it sees chi's matched route pattern after the handler ran.
//
// It may import resource, auth, schema and server/httperr.
package discovery
