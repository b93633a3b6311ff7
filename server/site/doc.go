// Package site serves static sites (contract sidecars.md §7.7): a site row
// names hostnames, a cloud store and a folder in it. Requests are switched
// by Host (except the API paths) or by a first path segment equal to a
// hostname; the caller needs Execute on the site row (JWT or HTTP Basic).
// Files come straight from the store with index.html, SPA fallback,
// caching headers, gzip sidecars and Range. Site and store rows are
// watched, so a new or changed site serves without a restart.
package site
