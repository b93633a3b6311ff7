// Package asset owns asset columns (contract sidecars.md §7.2–§7.6): it
// decodes the files a JSON:API write submits for a column kept in a cloud
// store and writes them to the store before the row is written (a failed
// upload fails the write), serves GET /asset/{table}/{id}/{column} with
// its caching headers, Range and conditional requests after the row's read
// permission is checked on every request, transforms images on request, and
// runs the chunked upload API for large files.
package asset
