package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestLocalLock(t *testing.T) {
	l := NewLocal()
	ctx := context.Background()
	unlock, err := l.Lock(ctx, "m", time.Minute, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Lock(ctx, "m", time.Minute, 30*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("second lock while held: %v", err)
	}
	other, err := l.Lock(ctx, "other", time.Minute, time.Second)
	if err != nil {
		t.Fatalf("another name is free: %v", err)
	}
	other()
	got := make(chan error, 1)
	go func() {
		u, err := l.Lock(ctx, "m", time.Minute, 5*time.Second)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(20 * time.Millisecond)
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiter after unlock: %v", err)
	}
	unlock() // a second unlock is harmless

	// A lock not released ends after its ttl.
	if _, err := l.Lock(ctx, "ttl", 30*time.Millisecond, time.Second); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	u, err := l.Lock(ctx, "ttl", time.Minute, 2*time.Second)
	if err != nil || time.Since(t0) < 20*time.Millisecond {
		t.Fatalf("after ttl: %v after %v", err, time.Since(t0))
	}
	u()

	cctx, cancel := context.WithCancel(ctx)
	hold, _ := l.Lock(ctx, "c", time.Minute, time.Second)
	defer hold()
	cancel()
	if _, err := l.Lock(cctx, "c", time.Minute, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
}

func TestLocalLockExclusive(t *testing.T) {
	l := NewLocal()
	var mu sync.Mutex
	inside, most := 0, 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := l.Lock(context.Background(), "x", time.Minute, 5*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			u()
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d holders at once", most)
	}
}

func TestLocalUpdate(t *testing.T) {
	l := NewLocal()
	now := time.Unix(100, 0)
	l.now = func() time.Time { return now }
	ctx := context.Background()
	set := func(v string, ttl time.Duration) {
		t.Helper()
		if err := l.Update(ctx, "d", "k", func([]byte) ([]byte, time.Duration) {
			if v == "" {
				return nil, 0
			}
			return []byte(v), ttl
		}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() string {
		var got string
		_ = l.Update(ctx, "d", "k", func(old []byte) ([]byte, time.Duration) { got = string(old); return old, 0 })
		return got
	}
	set("a", time.Second)
	if v := read(); v != "a" {
		t.Fatalf("read %q", v)
	}
	set("", 0)
	if v := read(); v != "" {
		t.Fatalf("after delete %q", v)
	}
	set("b", time.Second)
	now = now.Add(2 * time.Second)
	if v := read(); v != "" {
		t.Fatalf("after ttl %q", v)
	}
	// Parallel read-modify-writes lose nothing.
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = l.Update(ctx, "d", "n", func(old []byte) ([]byte, time.Duration) {
				var n int
				fmt.Sscan(string(old), &n)
				return []byte(fmt.Sprint(n + 1)), 0
			})
		}()
	}
	wg.Wait()
	var n string
	_ = l.Update(ctx, "d", "n", func(old []byte) ([]byte, time.Duration) { n = string(old); return old, 0 })
	if n != "50" {
		t.Fatalf("50 increments = %s", n)
	}
	// Many expired values are swept once the map grows.
	for i := range 5000 {
		_ = l.Update(ctx, "sweep", fmt.Sprint(i), func([]byte) ([]byte, time.Duration) { return []byte("x"), time.Second })
	}
	now = now.Add(time.Hour)
	_ = l.Update(ctx, "sweep", "last", func([]byte) ([]byte, time.Duration) { return []byte("x"), 0 })
	if len(l.values) > 100 {
		t.Fatalf("%d values kept after they expired", len(l.values))
	}
}

func TestLocalBasics(t *testing.T) {
	l := NewLocal()
	ctx := context.Background()
	select {
	case <-l.Ready():
	default:
		t.Fatal("a Local is ready at once")
	}
	if l.Node() != "local" || len(l.Members(ctx)) != 1 || l.Close(ctx) != nil {
		t.Fatal("single member")
	}
	got := make(chan string, 4)
	cancel := l.Subscribe("c", func(p []byte) { got <- string(p) })
	_ = l.Publish(ctx, "other", []byte("no"))
	_ = l.Publish(ctx, "c", []byte("yes"))
	if s := <-got; s != "yes" {
		t.Fatal(s)
	}
	cancel()
	cancel()
	_ = l.Publish(ctx, "c", []byte("after cancel"))
	select {
	case s := <-got:
		t.Fatalf("received %q after cancel", s)
	case <-time.After(20 * time.Millisecond):
	}
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	for i := range 4095 {
		_, _ = l.Incr(ctx, "m", fmt.Sprint(i), time.Millisecond)
	}
	now = now.Add(time.Hour)
	_, _ = l.Incr(ctx, "m", "fresh", time.Second)
	_, _ = l.Incr(ctx, "m", "fresher", time.Second)
	if len(l.counters) > 100 {
		t.Fatalf("%d counters kept after they expired", len(l.counters))
	}
}
