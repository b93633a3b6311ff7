// Package integrations holds the end-to-end tests of scheduled tasks,
// OpenAPI integrations and the Databite routes: each boots a whole server
// with testserver and talks to it over HTTP, with local httptest fakes
// standing in for upstream APIs.
package integrations
