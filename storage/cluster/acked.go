package cluster

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// Acked sends messages that every other live member handles before Send
// returns: each receiver runs its handler, then acknowledges on a second
// channel, and Send waits for as many acknowledgements as there are other
// members (or until its wait runs out).
type Acked struct {
	c       Cluster
	channel string
	handle  func([]byte)
	seq     atomic.Uint64
	mu      sync.Mutex
	waiting map[uint64]chan struct{}
	cancel  []func()
}

type ackedMsg struct {
	Origin  string `json:"o"`
	Seq     uint64 `json:"s"`
	Payload []byte `json:"p,omitempty"`
}

// NewAcked subscribes to channel; handle runs for every message another
// member sends (never for this member's own).
func NewAcked(c Cluster, channel string, handle func([]byte)) *Acked {
	a := &Acked{c: c, channel: channel, handle: handle, waiting: map[uint64]chan struct{}{}}
	a.cancel = append(a.cancel, c.Subscribe(channel, a.received), c.Subscribe(channel+".ack", a.acked))
	return a
}

func (a *Acked) received(b []byte) {
	var m ackedMsg
	if json.Unmarshal(b, &m) != nil || m.Origin == a.c.Node() {
		return
	}
	a.handle(m.Payload)
	ack, _ := json.Marshal(ackedMsg{Origin: m.Origin, Seq: m.Seq})
	// The acknowledgement goes out on its own goroutine, so the next
	// message is handled while this one's round trip is under way.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = a.c.Publish(ctx, a.channel+".ack", ack)
	}()
}

func (a *Acked) acked(b []byte) {
	var m ackedMsg
	if json.Unmarshal(b, &m) != nil || m.Origin != a.c.Node() {
		return
	}
	a.mu.Lock()
	ch := a.waiting[m.Seq]
	a.mu.Unlock()
	if ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Send delivers payload to the other members and waits up to wait for all
// of them to acknowledge. It returns how many did.
func (a *Acked) Send(ctx context.Context, payload []byte, wait time.Duration) (int, error) {
	others := len(a.c.Members(ctx)) - 1
	if others <= 0 {
		return 0, nil
	}
	seq := a.seq.Add(1)
	ch := make(chan struct{}, others)
	a.mu.Lock()
	a.waiting[seq] = ch
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		delete(a.waiting, seq)
		a.mu.Unlock()
	}()
	b, _ := json.Marshal(ackedMsg{Origin: a.c.Node(), Seq: seq, Payload: payload})
	if err := a.c.Publish(ctx, a.channel, b); err != nil {
		return 0, err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	got := 0
	for got < others {
		select {
		case <-ch:
			got++
		case <-t.C:
			return got, nil
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
	return got, nil
}

// Close stops receiving.
func (a *Acked) Close() {
	for _, c := range a.cancel {
		c()
	}
}
