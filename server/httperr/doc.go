// Package httperr turns errors into Daptin-style JSON:API error documents:
//
//	{"errors":[{"status":"403","title":"TableAccessPermissionChecker"}]}
//
// It is the one translation table from Apiary's error kinds (resource.ErrNotFound,
// ErrForbidden, ...) to HTTP statuses. Errors it does not know become a 500
// whose body carries only the request id; the real error goes to the log.
//
// Handlers return errors instead of writing them (see HandlerFunc and
// Handle), so a handler never writes half a response and forgets to return.
//
// It may import resource.
package httperr
