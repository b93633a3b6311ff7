package realtime

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/apiary/apiary/auth"
)

// Event is one message on a topic: a row change on a table topic or a
// user message on any topic.
type Event struct {
	Topic  string
	Kind   string // "create", "update", "delete" or "new-message"
	Source string // "database" or the publisher's user reference id
	Data   []byte // the JSON document clients receive (base64 on the wire)
	// Row is set for row changes: what a per-subscriber read check needs.
	Row *RowMeta

	frameOnce sync.Once
	frame     []byte         // the WebSocket frame every subscriber is sent
	payload   map[string]any // decoded Data, for filters
	decodeErr error
	decOnce   sync.Once
	reads     sync.Map // rowChecker key -> bool: the group-sharing read decision
}

// wire returns the event's WebSocket frame, encoded once for every
// subscriber.
func (e *Event) wire() []byte {
	e.frameOnce.Do(func() {
		b, _ := json.Marshal(outMsg{Type: "event", Topic: e.Topic, Event: e.Kind, Source: e.Source, Data: e.Data})
		e.frame = textFrame(b)
	})
	return e.frame
}

// decoded returns Data decoded once, for subscription filters.
func (e *Event) decoded() (map[string]any, error) {
	e.decOnce.Do(func() { e.decodeErr = json.Unmarshal(e.Data, &e.payload) })
	return e.payload, e.decodeErr
}

// RowMeta is the permission data of the row an event is about.
type RowMeta struct {
	Table  string
	RefID  string
	Object auth.Object
	// GroupShared is true when the table shares rows with groups, so a
	// subscriber failing the owner/guest check may still read via a group.
	GroupShared bool
}

// Broker carries events between publishers and subscribers. The local
// broker delivers in-process; a cluster transport implements the same
// interface. Publish must deliver one topic's events in publish order and
// fn must not block (subscribers enqueue and return). Subscribers share
// the *Event and must not change it.
type Broker interface {
	Subscribe(topic string, fn func(*Event)) (cancel func())
	Publish(ctx context.Context, e *Event) error
	// Subscribed is false when no subscriber anywhere can want topic, so
	// row events need not be encoded (a cluster broker may answer true).
	Subscribed(topic string) bool
}

// LocalBroker is the in-process Broker.
type LocalBroker struct {
	mu   sync.RWMutex
	next int
	subs map[string]map[int]func(*Event)
}

// NewLocalBroker returns an empty in-process broker.
func NewLocalBroker() *LocalBroker { return &LocalBroker{subs: map[string]map[int]func(*Event){}} }

// Subscribe registers fn for the events of topic.
func (b *LocalBroker) Subscribe(topic string, fn func(*Event)) func() {
	b.mu.Lock()
	id := b.next
	b.next++
	m := b.subs[topic]
	if m == nil {
		m = map[int]func(*Event){}
		b.subs[topic] = m
	}
	m[id] = fn
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs[topic], id)
		if len(b.subs[topic]) == 0 {
			delete(b.subs, topic)
		}
		b.mu.Unlock()
	}
}

// Publish hands e to every subscriber of its topic, in the caller's
// goroutine; the read lock keeps one topic's events in order per caller.
func (b *LocalBroker) Publish(_ context.Context, e *Event) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, fn := range b.subs[e.Topic] {
		fn(e)
	}
	return nil
}

// Subscribed reports whether topic has local subscribers.
func (b *LocalBroker) Subscribed(topic string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs[topic]) > 0
}
