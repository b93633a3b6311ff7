package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// memStore is an AttemptStore in memory, shared by several limiters the
// way a cluster's map is shared by several servers.
type memStore struct {
	mu   sync.Mutex
	m    map[string][]byte
	fail bool
}

func (s *memStore) Update(_ context.Context, key string, fn func([]byte) ([]byte, time.Duration)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("store down")
	}
	v, _ := fn(s.m[key])
	if v == nil {
		delete(s.m, key)
	} else {
		s.m[key] = v
	}
	return nil
}

func TestAttemptLimiterShared(t *testing.T) {
	st := &memStore{m: map[string][]byte{}}
	clk := &stepClock{}
	a, b := NewAttemptLimiter(3, time.Minute, clk.Now), NewAttemptLimiter(3, time.Minute, clk.Now)
	a.Share(st)
	b.Share(st)
	ctx := context.Background()
	// Two failures on a, one on b: the key is locked on both.
	for i, l := range []*AttemptLimiter{a, a, b} {
		if ok, _ := l.Reserve(ctx, "email:x"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		l.Fail("email:x")
	}
	for name, l := range map[string]*AttemptLimiter{"a": a, "b": b} {
		ok, retry := l.Reserve(ctx, "email:x")
		if ok || retry != time.Minute {
			t.Fatalf("%s after 3 shared failures: ok=%v retry=%v", name, ok, retry)
		}
	}
	if a.len() != 0 || b.len() != 0 {
		t.Fatal("a shared limiter kept counts of its own")
	}
	// A reservation pending on a makes b wait, not fail, until a cancels.
	if ok, _ := a.Reserve(ctx, "email:y"); !ok {
		t.Fatal("y refused")
	}
	a.Fail("email:y")
	a.Fail("email:y") // without a reservation: one more failure
	if ok, _ := a.Reserve(ctx, "email:y"); !ok {
		t.Fatal("third attempt on y refused")
	}
	done := make(chan bool)
	go func() {
		ok, _ := b.Reserve(ctx, "email:y")
		done <- ok
	}()
	select {
	case <-done:
		t.Fatal("b reserved while a's attempt was still being checked")
	case <-time.After(100 * time.Millisecond):
	}
	a.Cancel("email:y")
	if !<-done {
		t.Fatal("b refused after a cancelled")
	}
	b.Cancel("email:y")
	// Reset on b clears a's failures; the window ending does too.
	b.Reset("email:x")
	if ok, _ := a.Reserve(ctx, "email:x"); !ok {
		t.Fatal("x still locked after reset")
	}
	a.Fail("email:x")
	clk.Advance(2 * time.Minute)
	a.Fail("email:x")
	a.Fail("email:x")
	if ok, _ := b.Reserve(ctx, "email:x"); !ok {
		t.Fatal("failures of an ended window still count")
	}
	// A store that fails: each limiter falls back to its own counts.
	st.mu.Lock()
	st.fail = true
	st.mu.Unlock()
	for range 3 {
		a.Fail("email:z")
	}
	if ok, _ := a.Reserve(ctx, "email:z"); ok {
		t.Fatal("a's own counts not used while the store fails")
	}
	if ok, _ := b.Reserve(ctx, "email:z"); !ok {
		t.Fatal("b locked by a's local counts")
	}
}
