// Package realtime will own the fan-out of changes to clients: /live
// WebSocket pub/sub with topics, and YJS collaborative documents with their
// persistence. It will subscribe to resource.Service changes, which are
// published after commit, and check each subscriber's read permission. It is
// built by its own issue, on the resource layer that exists now.
package realtime
