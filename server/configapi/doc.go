// Package configapi serves the runtime configuration API of contract
// core.md §9.1: GET /_config lists every key, and GET, POST, PUT, PATCH and
// DELETE /_config/{configType}/{key} read, store and remove one raw value
// in the _config table through resource.ConfigStore.
//
// Only administrators may use it. Where Daptin answers every refusal with
// an empty 403, Apiary gives a guest a 401 and a signed-in non-administrator
// a 403, both with a JSON:API error body (server/httperr). The secret keys
// (resource.SecretKeys: jwt.secret, encryption.secret) are write-only:
// reading one is a 403 and the listing leaves them out, so a leaked
// administrator session cannot lift the token-signing key.
//
// It may import resource, auth and server/httperr.
package configapi
