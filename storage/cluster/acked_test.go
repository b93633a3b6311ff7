package cluster

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// fakeMember is one named member on a shared in-process bus.
type fakeMember struct {
	*Local
	name    string
	members []string
}

func (m fakeMember) Node() string                     { return m.name }
func (m fakeMember) Members(context.Context) []string { return m.members }

func TestAckedOverBus(t *testing.T) {
	bus := NewLocal()
	all := []string{"a", "b", "c"}
	a := fakeMember{bus, "a", all}
	var handledB, handledC, handledA atomic.Int64
	sa := NewAcked(a, "ch", func([]byte) { handledA.Add(1) })
	defer sa.Close()
	sb := NewAcked(fakeMember{bus, "b", all}, "ch", func(p []byte) {
		if string(p) == "x" {
			handledB.Add(1)
		}
	})
	defer sb.Close()
	ctx := context.Background()

	// Only b answers: Send waits the whole wait and reports one ack.
	t0 := time.Now()
	n, err := sa.Send(ctx, []byte("x"), 100*time.Millisecond)
	if err != nil || n != 1 || time.Since(t0) < 90*time.Millisecond {
		t.Fatalf("one of two answered: n=%d err=%v after %v", n, err, time.Since(t0))
	}
	sc := NewAcked(fakeMember{bus, "c", all}, "ch", func([]byte) { handledC.Add(1) })
	defer sc.Close()
	t0 = time.Now()
	if n, err := sa.Send(ctx, []byte("x"), 5*time.Second); n != 2 || err != nil || time.Since(t0) > 2*time.Second {
		t.Fatalf("both answered: n=%d err=%v after %v", n, err, time.Since(t0))
	}
	if handledB.Load() != 2 || handledC.Load() != 1 || handledA.Load() != 0 {
		t.Fatalf("handled b=%d c=%d a(own)=%d", handledB.Load(), handledC.Load(), handledA.Load())
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := sa.Send(cctx, []byte("x"), time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled send: %v", err)
	}
	// Alone: nothing to wait for.
	solo := NewAcked(fakeMember{NewLocal(), "s", []string{"s"}}, "ch", func([]byte) {})
	defer solo.Close()
	if n, err := solo.Send(ctx, []byte("x"), time.Second); n != 0 || err != nil {
		t.Fatalf("solo: %d %v", n, err)
	}
	// Garbage on the channel is ignored.
	_ = bus.Publish(ctx, "ch", []byte("not json"))
	_ = bus.Publish(ctx, "ch.ack", []byte("not json"))
}
