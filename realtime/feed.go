package realtime

import (
	"slices"
	"sync"
)

// feed is one topic's subscribers on this node. The broker hands the feed
// each event once (constant work per event, whatever the number of
// subscribers); the feed's flusher then hands every event that arrived
// since its last pass to each subscriber as one queue entry. While the
// flusher works through the subscribers, new events gather, so under load
// a subscriber costs one lock per batch instead of one per event. One
// flusher runs at a time, which keeps the topic's events in order.
type feed struct {
	topic    string
	cancel   func() // the broker subscription
	mu       sync.Mutex
	subs     []*subscription // replaced, never changed in place: a flusher's copy stays valid
	pending  []*Event
	flushing bool
}

// feeds are the hub's feeds by topic.
type feeds struct {
	mu sync.Mutex
	m  map[string]*feed
}

// join adds sub to its topic's feed, subscribing the feed to the broker
// when it is the topic's first subscriber here; it returns sub's cancel.
func (h *Hub) join(sub *subscription) func() {
	h.feeds.mu.Lock()
	defer h.feeds.mu.Unlock()
	if h.feeds.m == nil {
		h.feeds.m = map[string]*feed{}
	}
	f := h.feeds.m[sub.topic]
	if f == nil {
		f = &feed{topic: sub.topic}
		f.cancel = h.o.Broker.Subscribe(sub.topic, f.publish)
		h.feeds.m[sub.topic] = f
	}
	f.mu.Lock()
	f.subs = append(slices.Clip(f.subs), sub)
	f.mu.Unlock()
	return func() { h.leave(f, sub) }
}

// leave removes sub from f, and f from the broker when it was the last.
func (h *Hub) leave(f *feed, sub *subscription) {
	h.feeds.mu.Lock()
	defer h.feeds.mu.Unlock()
	f.mu.Lock()
	f.subs = slices.DeleteFunc(slices.Clone(f.subs), func(s *subscription) bool { return s == sub })
	empty := len(f.subs) == 0
	f.mu.Unlock()
	if empty && h.feeds.m[f.topic] == f {
		delete(h.feeds.m, f.topic)
		f.cancel()
	}
}

// publish is the feed's broker subscriber: it queues e and starts the
// flusher unless it runs.
func (f *feed) publish(e *Event) {
	f.mu.Lock()
	f.pending = append(f.pending, e)
	start := !f.flushing
	f.flushing = true
	f.mu.Unlock()
	if start {
		go f.flush()
	}
}

// flush hands the pending events to every subscriber until none are left.
func (f *feed) flush() {
	for {
		f.mu.Lock()
		batch, subs := f.pending, f.subs
		f.pending = nil
		if len(batch) == 0 {
			f.flushing = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		for _, sub := range subs {
			sub.s.enqueue(outItem{events: batch, sub: sub})
		}
	}
}
