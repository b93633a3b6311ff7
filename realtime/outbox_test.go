package realtime

import (
	"testing"
	"time"
)

// TestOutboxKeepsOrder: events put by one writer are published in the
// order they were put, and a put after close neither blocks nor publishes.
func TestOutboxKeepsOrder(t *testing.T) {
	const n = 3 * outboxSize // more than the channel holds: put waits
	got := make(chan string, n)
	o := newOutbox(func(p pendingEvent) { got <- p.e.Topic })
	for i := 0; i < n; i++ {
		o.put(pendingEvent{e: &Event{Topic: string(rune('a' + i%26))}})
	}
	for i := 0; i < n; i++ {
		select {
		case topic := <-got:
			if want := string(rune('a' + i%26)); topic != want {
				t.Fatalf("event %d: %s, want %s", i, topic, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d not published", i)
		}
	}
	o.close()
	o.close()
	o.put(pendingEvent{e: &Event{Topic: "late"}})
	select {
	case topic := <-got:
		t.Fatalf("published after close: %s", topic)
	default:
	}
}
