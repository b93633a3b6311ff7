// Package dexie serves the Dexie Cloud REST dialect (/all, /my, /public and
// /users) over the resource layer, so rows written here are the same rows
// JSON:API, GraphQL and the other dialects see, with the same permissions.
//
// Realms map onto Apiary's ownership: a user's private realm (realmId = the
// user's e-mail, which is also the Dexie userId) holds the rows the user
// owns and shares with nobody; "rlm-public" holds rows guests may read; any
// other realmId is the reference id of a usergroup whose members share the
// rows linked to it. Objects are plain JSON: the row's attributes with the
// key ("id" = reference_id, or the columns of the table's only composite
// key), "realmId" and "owner" (the owner's e-mail).
//
// Scopes are checked as Dexie Cloud documents them: /all needs ACCESS_DB
// with GLOBAL_READ (GET) or GLOBAL_WRITE (POST, DELETE); /my needs
// ACCESS_DB and a user token, and acts only with the user's own rights;
// /public needs nothing to read and GLOBAL_WRITE to write. Errors are JSON
// objects {"error": code, "message": text}.
//
// It may import resource, auth and schema.
package dexie
