package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/apiary/apiary/realtime"
	"github.com/apiary/apiary/realtime/yjs"
	"github.com/apiary/apiary/storage/cluster"
)

// Channels of the realtime transport between nodes (docs/cluster.md).
const (
	eventsChannel = "apiary.events"
	yjsChannel    = "apiary.yjs"
)

// realtimeBroker is the /live broker: nil (the hub's local broker) on a
// single node, the cluster broker when there are peers.
func (s *Server) realtimeBroker() realtime.Broker {
	if s.peers == nil {
		return nil
	}
	return newClusterBroker(s.cluster, s.log.With("component", "cluster"))
}

// roomPeers links the YJS rooms of every node; nil on a single node.
func (s *Server) roomPeers() realtime.RoomPeers {
	if s.peers == nil {
		return nil
	}
	return newClusterRooms(s.cluster, s.log.With("component", "cluster"))
}

// wireEvent is an Event between nodes.
type wireEvent struct {
	Origin string            `json:"o"`
	Topic  string            `json:"t"`
	Kind   string            `json:"k"`
	Source string            `json:"s"`
	Data   []byte            `json:"d"`
	Row    *realtime.RowMeta `json:"r,omitempty"`
}

// clusterBroker delivers an event to this node's subscribers at once and
// to every other node through one cluster channel; each node drops its own
// events from the channel, so every subscriber sees each event once.
type clusterBroker struct {
	local *realtime.LocalBroker
	c     cluster.Cluster
	log   *slog.Logger
}

func newClusterBroker(c cluster.Cluster, log *slog.Logger) *clusterBroker {
	b := &clusterBroker{local: realtime.NewLocalBroker(), c: c, log: log}
	c.Subscribe(eventsChannel, b.received) // ends when the member closes
	return b
}

// Subscribe implements realtime.Broker.
func (b *clusterBroker) Subscribe(topic string, fn func(*realtime.Event)) func() {
	return b.local.Subscribe(topic, fn)
}

// Publish implements realtime.Broker.
func (b *clusterBroker) Publish(ctx context.Context, e *realtime.Event) error {
	err := b.local.Publish(ctx, e)
	p, _ := json.Marshal(wireEvent{Origin: b.c.Node(), Topic: e.Topic, Kind: e.Kind, Source: e.Source, Data: e.Data, Row: e.Row})
	if cerr := b.c.Publish(ctx, eventsChannel, p); cerr != nil {
		b.log.Warn("cluster event not sent", "topic", e.Topic, "err", cerr.Error())
	}
	return err
}

// Subscribed implements realtime.Broker: another node may have subscribers.
func (b *clusterBroker) Subscribed(string) bool { return true }

func (b *clusterBroker) received(p []byte) {
	var w wireEvent
	if err := json.Unmarshal(p, &w); err != nil || w.Origin == b.c.Node() {
		return
	}
	_ = b.local.Publish(context.Background(), &realtime.Event{Topic: w.Topic, Kind: w.Kind, Source: w.Source, Data: w.Data, Row: w.Row})
}

// wireUpdate is a YJS message between nodes: an update for a room, or
// (Need) a node that just opened the room asking for its state, which
// the nodes that have it open answer with an update addressed To it.
type wireUpdate struct {
	Origin string `json:"o"`
	Room   string `json:"r"`
	Update []byte `json:"u,omitempty"`
	Need   bool   `json:"n,omitempty"`
	To     string `json:"to,omitempty"`
}

// clusterRooms implements realtime.RoomPeers over one cluster channel. For
// each room open on this node it keeps the merge of every update that
// went through it, so that a node opening the room later gets what was
// typed elsewhere before (its own stored copy may be older).
type clusterRooms struct {
	c     cluster.Cluster
	log   *slog.Logger
	mu    sync.Mutex
	next  int
	subs  map[string]map[int]func([]byte)
	state map[string]*yjs.Update
}

func newClusterRooms(c cluster.Cluster, log *slog.Logger) *clusterRooms {
	r := &clusterRooms{c: c, log: log, subs: map[string]map[int]func([]byte){}, state: map[string]*yjs.Update{}}
	c.Subscribe(yjsChannel, r.received)
	return r
}

func (r *clusterRooms) publish(w wireUpdate) {
	w.Origin = r.c.Node()
	p, _ := json.Marshal(w)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := r.c.Publish(ctx, yjsChannel, p); err != nil {
		r.log.Warn("cluster yjs message not sent", "room", w.Room, "err", err.Error())
	}
}

// merge adds update to the room's kept state. The caller holds r.mu.
func (r *clusterRooms) merge(room string, update []byte) {
	st := r.state[room]
	if st == nil {
		return
	}
	if u, err := yjs.Decode(update); err == nil {
		st.Apply(u)
	}
}

// Send implements realtime.RoomPeers.
func (r *clusterRooms) Send(room string, update []byte) {
	r.mu.Lock()
	r.merge(room, update)
	r.mu.Unlock()
	r.publish(wireUpdate{Room: room, Update: update})
}

// Listen implements realtime.RoomPeers. The first listener of a room asks
// the other nodes for its state.
func (r *clusterRooms) Listen(room string, fn func([]byte)) func() {
	r.mu.Lock()
	id := r.next
	r.next++
	first := r.subs[room] == nil
	if first {
		r.subs[room] = map[int]func([]byte){}
		r.state[room], _ = yjs.Merge()
	}
	r.subs[room][id] = fn
	r.mu.Unlock()
	if first {
		go r.publish(wireUpdate{Room: room, Need: true})
	}
	return func() {
		r.mu.Lock()
		delete(r.subs[room], id)
		if len(r.subs[room]) == 0 {
			delete(r.subs, room)
			delete(r.state, room)
		}
		r.mu.Unlock()
	}
}

func (r *clusterRooms) received(p []byte) {
	var w wireUpdate
	if err := json.Unmarshal(p, &w); err != nil || w.Origin == r.c.Node() || (w.To != "" && w.To != r.c.Node()) {
		return
	}
	r.mu.Lock()
	if w.Need {
		// An empty state (the room is open here but nothing was typed
		// yet) has nothing to give: no answer.
		var snapshot []byte
		if st := r.state[w.Room]; st != nil && (len(st.Structs) > 0 || len(st.Deletes) > 0) {
			snapshot = st.Encode(nil)
		}
		r.mu.Unlock()
		if snapshot != nil {
			r.publish(wireUpdate{Room: w.Room, Update: snapshot, To: w.Origin})
		}
		return
	}
	r.merge(w.Room, w.Update)
	fns := make([]func([]byte), 0, len(r.subs[w.Room]))
	for _, fn := range r.subs[w.Room] {
		fns = append(fns, fn)
	}
	r.mu.Unlock()
	for _, fn := range fns {
		fn(w.Update)
	}
}

// topicKeyPrefix is the default-cache key prefix of user topics (contract
// sidecars.md §3.3).
const topicKeyPrefix = "ws-topic:"

// topicStore keeps user topics in the cluster's default-cache DMap when
// there are peers; nil (the hub's memory store) on a single node.
func (s *Server) topicStore() realtime.TopicStore {
	if s.peers == nil || s.peers.kv == nil {
		return nil
	}
	return clusterTopics{kv: s.peers.kv}
}

// clusterTopics implements realtime.TopicStore over a cluster KV.
type clusterTopics struct{ kv cluster.KV }

// Create implements realtime.TopicStore.
func (c clusterTopics) Create(ctx context.Context, name string, meta realtime.TopicMeta) (bool, error) {
	b, _ := json.Marshal(meta)
	return c.kv.PutNew(ctx, "default-cache", topicKeyPrefix+name, b)
}

// Get implements realtime.TopicStore.
func (c clusterTopics) Get(ctx context.Context, name string) (realtime.TopicMeta, bool, error) {
	var m realtime.TopicMeta
	b, ok, err := c.kv.Get(ctx, "default-cache", topicKeyPrefix+name)
	if err != nil || !ok {
		return m, false, err
	}
	return m, true, json.Unmarshal(b, &m)
}

// Delete implements realtime.TopicStore.
func (c clusterTopics) Delete(ctx context.Context, name string) (bool, error) {
	return c.kv.Delete(ctx, "default-cache", topicKeyPrefix+name)
}

// Put implements realtime.TopicStore.
func (c clusterTopics) Put(ctx context.Context, name string, meta realtime.TopicMeta) error {
	b, _ := json.Marshal(meta)
	return c.kv.Put(ctx, "default-cache", topicKeyPrefix+name, b)
}

// Names implements realtime.TopicStore.
func (c clusterTopics) Names(ctx context.Context) ([]string, error) {
	keys, err := c.kv.Keys(ctx, "default-cache", topicKeyPrefix)
	for i, k := range keys {
		keys[i] = k[len(topicKeyPrefix):]
	}
	return keys, err
}
