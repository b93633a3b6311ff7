// Package tokenapi serves POST /token, where a machine client trades the
// client id and secret of a service_client row for a short-lived service
// token, in the manner of Dexie Cloud's /token endpoint and the OAuth 2.0
// client-credentials grant (RFC 6749 §4.4).
//
// A token carries the scopes it was granted (claim scopes) and the client
// id (claim client_id). Without impersonation it names no user: the server
// turns it into a service principal whose rights come from its scopes
// (GLOBAL_READ, GLOBAL_WRITE). With impersonation (the request's claims
// name a user by sub or email, and the client holds IMPERSONATE) it is
// that user's token, still carrying the scopes.
//
// A successful answer is Dexie Cloud's TokenFinalResponse: type "tokens",
// claims (sub = the client id, or the user's e-mail; license; scopes),
// accessToken, accessTokenExpiration (unix ms) and userType ("client", or
// the user's Dexie type); issuing a user token records it as a login.
//
// Errors are OAuth-style JSON, {"error": code, "error_description": text},
// not JSON:API documents, because /token clients are OAuth clients. An
// unknown client id, a wrong secret and a disabled client all give the same
// 401 invalid_client after the same bcrypt work.
//
// It may import resource, auth and schema.
package tokenapi
