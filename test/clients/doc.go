// Package clients holds the end-to-end tests that drive a real Apiary the
// way Daptin's users do: over plain HTTP as a user's script would (tokens,
// access groups, sparse fieldsets, usergroup privacy, OpenAPI, GraphQL
// types) and through the npm clients those users have. The npm project in
// this folder (package.json, committed package-lock.json, installed by
// test/deps.d/20-clients.sh) holds suite/main.mjs: daptin-client 0.2.9,
// devour-client 3.2 and graphql-request 7, run by TestNodeClients.
//
// Slot for the realtime suite: the /live WebSocket client lives in its own
// npm project under ws/ (added by the realtime issue) and is run from a Go
// test in this package through runNodeSuite(t, server, "ws", entry).
package clients
