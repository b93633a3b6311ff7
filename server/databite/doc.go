// Package databite serves the Databite server API under /api (connectors,
// integrations, connections, flows, sync jobs, actions; seed
// databite-server-api.txt) and Daptin's /integration/{provider}/... routes
// (contract sidecars.md §10.4), both over one integrations.Engine. Every
// answer is JSON; errors are {"error": "..."}; each route class has its own
// per-address rate limit; no answer or log line carries a secret.
package databite
