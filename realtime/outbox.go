package realtime

import "sync"

// pendingEvent is a row event whose payload is still to be encoded.
type pendingEvent struct {
	e       *Event
	payload map[string]any
}

// outboxSize is how many committed changes may wait for the fan-out; a
// writer committing past it waits (the events keep their order and none
// is dropped).
const outboxSize = 4096

// outbox hands row events from the writers to one goroutine that encodes
// and publishes them. The resource layer calls its subscribers
// under the table's commit-order lock, so anything done there holds up
// every writer of the table: the hand-off is one channel send, and the
// encoding and the fan-out to every subscriber happen outside the lock.
// One consumer keeps one table's events in commit order.
type outbox struct {
	ch   chan pendingEvent
	done chan struct{}
	quit chan struct{}
	once sync.Once
}

func newOutbox(publish func(pendingEvent)) *outbox {
	o := &outbox{ch: make(chan pendingEvent, outboxSize), done: make(chan struct{}), quit: make(chan struct{})}
	go func() {
		defer close(o.done)
		for {
			select {
			case c := <-o.ch:
				publish(c)
			case <-o.quit:
				return
			}
		}
	}()
	return o
}

// put queues c, waiting while the outbox is full; after close it drops c.
func (o *outbox) put(c pendingEvent) {
	select {
	case o.ch <- c:
	case <-o.quit:
	}
}

// close stops the publishing goroutine and waits for it; it may be called
// more than once.
func (o *outbox) close() {
	o.once.Do(func() { close(o.quit) })
	<-o.done
}
