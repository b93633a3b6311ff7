package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOlricLockUpdateKV: a lock taken through one member is refused
// through the other; parallel Updates through both members lose nothing;
// the KV calls see the same map from every member.
func TestOlricLockUpdateKV(t *testing.T) {
	a, pa := startMember(t, "s")
	b, _ := startMember(t, "s", pa)
	waitMembers(t, a, 2)
	waitMembers(t, b, 2)
	ctx := context.Background()

	unlock, err := a.Lock(ctx, "migrate", time.Minute, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, "migrate", time.Minute, 100*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("b took a lock a holds: %v", err)
	}
	unlock()
	u2, err := b.Lock(ctx, "migrate", time.Minute, time.Second)
	if err != nil {
		t.Fatalf("b after a released: %v", err)
	}
	u2()

	var wg sync.WaitGroup
	for i := range 20 {
		m := a
		if i%2 == 1 {
			m = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := m.Update(ctx, "counts", "n", func(old []byte) ([]byte, time.Duration) {
				var n int
				fmt.Sscan(string(old), &n)
				return []byte(fmt.Sprint(n + 1)), time.Minute
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	v, ok, err := b.Get(ctx, "counts", "n")
	if err != nil || !ok || string(v) != "20" {
		t.Fatalf("20 updates through two members = %q %v %v", v, ok, err)
	}
	if err := a.Update(ctx, "counts", "n", func([]byte) ([]byte, time.Duration) { return nil, 0 }); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := b.Get(ctx, "counts", "n"); ok {
		t.Fatal("a nil update did not delete")
	}
	if err := a.Update(ctx, "counts", "absent", func([]byte) ([]byte, time.Duration) { return nil, 0 }); err != nil {
		t.Fatalf("deleting an absent key: %v", err)
	}

	if ok, err := a.PutNew(ctx, "kv", "p:1", []byte("one")); !ok || err != nil {
		t.Fatalf("PutNew: %v %v", ok, err)
	}
	if ok, err := b.PutNew(ctx, "kv", "p:1", []byte("again")); ok || err != nil {
		t.Fatalf("PutNew of an existing key: %v %v", ok, err)
	}
	if err := b.Put(ctx, "kv", "p:2", []byte("two")); err != nil {
		t.Fatal(err)
	}
	_ = b.Put(ctx, "kv", "q:3", []byte("three"))
	keys, err := a.Keys(ctx, "kv", "p:")
	slices.Sort(keys)
	if err != nil || !slices.Equal(keys, []string{"p:1", "p:2"}) {
		t.Fatalf("keys = %v %v", keys, err)
	}
	if ok, err := a.Delete(ctx, "kv", "p:2"); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if _, ok, _ := b.Get(ctx, "kv", "p:2"); ok {
		t.Fatal("deleted key still read")
	}
}

func TestOlricClosed(t *testing.T) {
	a, _ := startMember(t, "s")
	ctx := context.Background()
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(ctx); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := Start(Options{Port: freePort(t)}); err == nil {
		t.Fatal("a member without a secret started")
	}
}

func TestLogWriter(t *testing.T) {
	var buf bytes.Buffer
	w := &logWriter{log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	for range 3 {
		fmt.Fprintln(w, "[ERR] memberlist: failed to decrypt packet from=10.0.0.9:5337")
	}
	fmt.Fprintln(w, "[ERR] memberlist: No installed keys could decrypt the message from=10.0.0.7:5337")
	fmt.Fprintln(w, "[INFO] routine line")
	out := buf.String()
	if strings.Count(out, "wrong cluster secret") != 2 || !strings.Contains(out, "peer=10.0.0.9") || !strings.Contains(out, "peer=10.0.0.7") {
		t.Fatalf("want one line per refused peer:\n%s", out)
	}
	if strings.Contains(out, "routine") {
		t.Fatalf("routine Olric lines are debug:\n%s", out)
	}
}
