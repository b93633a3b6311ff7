package cluster

import (
	"context"
	"sync"
	"time"
)

// Local is the single-node Cluster: channels, counters and leases live in
// this process, so a node without peers pays for nothing it does not use.
type Local struct {
	mu       sync.Mutex
	next     int
	subs     map[string]map[int]chan []byte
	counters map[string]counter
	locks    map[string]chan struct{} // held locks; closed on release
	values   map[string]entry         // what Update stored
	now      func() time.Time
}

type counter struct {
	n       int
	expires time.Time
}

// NewLocal returns an empty single-node cluster.
func NewLocal() *Local {
	return &Local{subs: map[string]map[int]chan []byte{}, counters: map[string]counter{}, locks: map[string]chan struct{}{},
		values: map[string]entry{}, now: time.Now}
}

var _ Cluster = (*Local)(nil)

// localQueue bounds the messages waiting for one local subscriber.
const localQueue = 1024

// Publish implements Cluster.
func (l *Local) Publish(_ context.Context, channel string, payload []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ch := range l.subs[channel] {
		select {
		case ch <- payload:
		default: // a stalled subscriber loses messages rather than block the publisher
		}
	}
	return nil
}

// Subscribe implements Cluster.
func (l *Local) Subscribe(channel string, fn func([]byte)) func() {
	ch := make(chan []byte, localQueue)
	l.mu.Lock()
	id := l.next
	l.next++
	if l.subs[channel] == nil {
		l.subs[channel] = map[int]chan []byte{}
	}
	l.subs[channel][id] = ch
	l.mu.Unlock()
	go func() {
		for p := range ch {
			fn(p)
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.subs[channel], id)
			l.mu.Unlock()
			close(ch)
		})
	}
}

// Incr implements Cluster.
func (l *Local) Incr(_ context.Context, dmap, key string, ttl time.Duration) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	k := dmap + "\x00" + key
	c, ok := l.counters[k]
	if !ok || now.After(c.expires) {
		c = counter{expires: now.Add(ttl)}
		l.sweep(now)
	}
	c.n++
	l.counters[k] = c
	return c.n, nil
}

// sweep drops expired counters once the map has grown.
func (l *Local) sweep(now time.Time) {
	if len(l.counters) < 4096 {
		return
	}
	for k, c := range l.counters {
		if now.After(c.expires) {
			delete(l.counters, k)
		}
	}
}

// Members implements Cluster.
func (l *Local) Members(context.Context) []string { return []string{l.Node()} }

// closed is the Ready channel of a Local: always ready.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Ready implements Cluster.
func (l *Local) Ready() <-chan struct{} { return closed }

// Node implements Cluster.
func (l *Local) Node() string { return "local" }

// Close implements Cluster.
func (l *Local) Close(context.Context) error { return nil }
