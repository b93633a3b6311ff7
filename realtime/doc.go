// Package realtime owns the fan-out of changes to clients: the /live
// WebSocket pub/sub (table topics fed by resource.Service change events,
// which are published after commit, and user topics), and the YJS rooms
// that relay and persist collaborative documents. Every event is checked
// per subscriber against read permission on the row before it is sent.
//
// A committed change leaves the writer through the outbox (one channel
// send); the outbox encodes it and publishes it in commit order. Topics
// travel through a Broker, the seam where a cluster transport can replace
// the in-process LocalBroker; each topic's feed takes an event from the
// broker once and hands batches to its sessions, whose writers coalesce
// what arrives during 20 ms into one writev. YJS rooms relay through a
// RoomBus, a seam of the same kind. The Yjs update format itself lives in
// realtime/yjs.
package realtime
