// Package clients holds the end-to-end tests that drive a real Apiary the
// way Daptin's users do: over plain HTTP as a user's script would (tokens,
// access groups, usergroup privacy) and through the npm clients those users
// have (daptin-client, devour-client, graphql-request), run by node from the
// npm project in this folder. The realtime suite lives in its own npm
// project under ws/ and is run by TestWSClient when present.
package clients
