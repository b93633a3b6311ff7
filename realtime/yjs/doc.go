// Package yjs reads and writes the Yjs update format (v1) well enough for
// a server that is not a full CRDT peer: it decodes updates into structs
// and delete sets, merges many updates into one compacted update (adjacent
// text insertions by one client become one struct, deleted content is
// dropped as Yjs's own garbage collection does), computes the state
// vector of an update, and the diff a client with a given state vector
// lacks. It also frames the y-protocols sync and awareness messages that
// y-websocket sends. No integration (YATA ordering) is done here: the
// output is always a valid update that real Yjs clients integrate.
package yjs
