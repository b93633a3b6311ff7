package realtime

import (
	"log/slog"
	"sync"
	"time"

	"github.com/apiary/apiary/realtime/yjs"
)

// Room limits (contract sidecars.md §2.2).
const (
	MaxRoomState = 50 << 20 // a room's stored state; updates beyond it are refused
	roomSaveWait = 200 * time.Millisecond
)

// room is one shared document: its compacted state, its sessions and the
// awareness (presence) states of their clients.
type room struct {
	name  string
	rs    *Rooms
	mu    sync.Mutex
	state *yjs.Update
	size  int
	conns map[*roomConn]struct{}
	aware map[uint64]awareState
	dirty bool
	timer *time.Timer
	stop  func()
	refs  int // sessions using the room, guarded by Rooms.mu
}

type awareState struct {
	entry yjs.AwarenessEntry
	owner *roomConn
}

func newRoom(rs *Rooms, name string, saved []byte) (*room, error) {
	r := &room{name: name, rs: rs, conns: map[*roomConn]struct{}{}, aware: map[uint64]awareState{}}
	var err error
	if r.state, err = yjs.Merge(saved); err != nil && len(saved) > 0 {
		return nil, err
	}
	if len(saved) == 0 {
		r.state, _ = yjs.Merge()
	}
	r.size = len(saved)
	r.stop = rs.o.Peers.Listen(name, r.fromPeer)
	return r, nil
}

// join adds c and greets it: the server's state vector (SyncStep1), so the
// client sends what the server lacks, and the others' presence.
func (r *room) join(c *roomConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns[c] = struct{}{}
	c.send(yjs.SyncMessage(yjs.SyncStep1, yjs.EncodeStateVector(r.state.StateVector())))
	if len(r.aware) > 0 {
		c.send(yjs.AwarenessMessage(r.awarenessLocked()))
	}
}

// leave removes c; its clients' presence is withdrawn for the others.
func (r *room) leave(c *roomConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.conns, c)
	var gone []yjs.AwarenessEntry
	for id, a := range r.aware {
		if a.owner == c {
			gone = append(gone, yjs.AwarenessEntry{Client: id, Clock: a.entry.Clock + 1, State: []byte("null")})
			delete(r.aware, id)
		}
	}
	if len(gone) > 0 {
		r.broadcastLocked(nil, yjs.AwarenessMessage(yjs.EncodeAwareness(gone)))
	}
}

// syncStep1 answers a client's state vector with exactly what it lacks.
func (r *room) syncStep1(c *roomConn, sv []byte) error {
	v, err := yjs.DecodeStateVector(sv)
	if err != nil {
		return err
	}
	r.mu.Lock()
	diff := r.state.Encode(v)
	r.mu.Unlock()
	c.send(yjs.SyncMessage(yjs.SyncStep2, diff))
	return nil
}

// update merges an update from a client into the state and relays it to
// the room's other sessions and to peers. Bad bytes are an error for that
// client only; the state is untouched.
func (r *room) update(from *roomConn, payload []byte) error {
	u, err := yjs.Decode(payload)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size+len(payload) > MaxRoomState {
		r.rs.o.Log.Warn("yjs room full, update refused", "room", r.name, "bytes", r.size)
		return nil
	}
	r.state.Apply(u)
	r.size += len(payload)
	r.broadcastLocked(from, yjs.SyncMessage(yjs.SyncUpdate, payload))
	r.markDirtyLocked()
	if from != nil {
		r.rs.o.Peers.Send(r.name, payload)
	}
	return nil
}

func (r *room) fromPeer(update []byte) {
	if err := r.update(nil, update); err != nil {
		r.rs.o.Log.Warn("bad yjs update from peer", "room", r.name, "err", err)
	}
}

// awareness records and relays presence updates.
func (r *room) awareness(from *roomConn, payload []byte) error {
	entries, err := yjs.DecodeAwareness(payload)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range entries {
		if string(e.State) == "null" {
			delete(r.aware, e.Client)
			continue
		}
		r.aware[e.Client] = awareState{entry: e, owner: from}
	}
	r.broadcastLocked(from, yjs.AwarenessMessage(payload))
	return nil
}

func (r *room) queryAwareness(c *roomConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.aware) > 0 {
		c.send(yjs.AwarenessMessage(r.awarenessLocked()))
	}
}

func (r *room) awarenessLocked() []byte {
	es := make([]yjs.AwarenessEntry, 0, len(r.aware))
	for _, a := range r.aware {
		es = append(es, a.entry)
	}
	return yjs.EncodeAwareness(es)
}

func (r *room) broadcastLocked(from *roomConn, frame []byte) {
	for c := range r.conns {
		if c != from {
			c.send(frame)
		}
	}
}

// markDirtyLocked schedules a save; edits in quick succession share one.
func (r *room) markDirtyLocked() {
	r.dirty = true
	if r.timer == nil {
		r.timer = time.AfterFunc(roomSaveWait, r.flush)
	}
}

// flush writes the compacted state if it changed.
func (r *room) flush() {
	r.mu.Lock()
	r.timer = nil
	if !r.dirty {
		r.mu.Unlock()
		return
	}
	r.dirty = false
	state := r.state.Encode(nil)
	r.size = len(state)
	r.mu.Unlock()
	var text string
	if u, err := yjs.Decode(state); err == nil {
		text = u.PlainText()
	}
	if err := r.rs.o.Store.Save(r.name, state, text); err != nil {
		r.rs.o.Log.Error("yjs room not saved", "room", r.name, "err", err)
		r.mu.Lock()
		r.markDirtyLocked()
		r.mu.Unlock()
	}
}

// logger is the room's logger.
func (r *room) logger() *slog.Logger { return r.rs.o.Log }
