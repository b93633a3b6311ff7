// Package realtime owns the fan-out of changes to clients: the /live
// WebSocket pub/sub (table topics fed by resource.Service change events,
// which are published after commit, and user topics), and the YJS rooms
// that relay and persist collaborative documents. Every event is checked
// per subscriber against read permission on the row before it is sent.
//
// Topics travel through a Broker, the seam where a cluster transport can
// replace the in-process LocalBroker; YJS rooms relay through a RoomBus in
// the same way. The Yjs update format itself lives in realtime/yjs.
package realtime
