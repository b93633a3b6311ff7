// Package httpmw holds Apiary's cross-cutting HTTP middleware: per-IP rate
// limiting, the server-wide connection cap, CORS, security headers and gzip
// (contract §10.4, §10.5).
//
// The middleware read their settings from a Live value on every request (one
// atomic load), so a change made through the config API (_config keys
// limit.rate, limit.max_connections, cors.config, gzip.enable) applies
// without a restart: build a Settings with ParseSettings and Store it.
//
// Suggested order, outermost first:
//
//	r.Use(httpmw.SecurityHeaders, httpmw.CORS(live), httpmw.RateLimit(live, nil),
//		httpmw.MaxConnections(live), httpmw.Gzip(live))
//
// CORS goes before RateLimit so that a preflight is answered (or refused)
// without being counted, as Daptin does, and so that a 429 still carries the
// CORS headers a browser needs to read it. Gzip goes last so that it
// compresses only what the handlers write, not the middleware's own errors.
//
// It imports nothing else of Apiary's.
package httpmw
