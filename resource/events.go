package resource

import (
	"log/slog"
	"sync"
)

// bus fans committed changes out to in-process subscribers. A panicking
// subscriber is logged and does not stop the others.
type bus struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Change)
	log  *slog.Logger
}

func newBus(log *slog.Logger) *bus { return &bus{subs: map[int]func(Change){}, log: log} }

func (b *bus) subscribe(fn func(Change)) func() {
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = fn
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

func (b *bus) publish(c Change) {
	b.mu.RLock()
	fns := make([]func(Change), 0, len(b.subs))
	for _, fn := range b.subs {
		fns = append(fns, fn)
	}
	b.mu.RUnlock()
	for _, fn := range fns {
		b.deliver(fn, c)
	}
}

func (b *bus) deliver(fn func(Change), c Change) {
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("change subscriber panicked", "table", c.Table, "op", string(c.Op), "panic", r)
		}
	}()
	fn(c)
}
