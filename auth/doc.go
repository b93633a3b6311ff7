// Package auth holds the identity and access primitives of Apiary: the
// Daptin-compatible permission bits and their evaluation, the Principal that
// travels in a request context, HS256 JSON Web Tokens, bcrypt password
// hashing, column encryption, token extraction from HTTP requests and TOTP
// one-time codes, and the AttemptLimiter that bounds password and code
// guesses.
//
// Everything here is a pure function or a small value type. The package never
// touches the database: callers load owners, groups and permissions and hand
// them in as an Object, and load users and hand them in as a Principal.
//
// It imports nothing else of Apiary's.
package auth
