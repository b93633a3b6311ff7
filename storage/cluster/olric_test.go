package cluster

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// freePort returns a port p such that p and p+1 are free on loopback.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		l.Close()
		if err == nil {
			l2.Close()
			return p
		}
	}
	t.Fatal("no free port pair")
	return 0
}

func startMember(t *testing.T, secret string, peers ...int) (*Olric, int) {
	t.Helper()
	p := freePort(t)
	var ps []string
	for _, q := range peers {
		ps = append(ps, fmt.Sprintf("127.0.0.1:%d", q+1))
	}
	n, err := Start(Options{Port: p, Peers: ps, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close(context.Background()) })
	select {
	case <-n.Ready():
	case <-time.After(15 * time.Second):
		t.Fatal("member not ready")
	}
	return n, p
}

func waitMembers(t *testing.T, n *Olric, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(n.Members(context.Background())) != want {
		if time.Now().After(deadline) {
			t.Fatalf("members = %v, want %d", n.Members(context.Background()), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestOlricTwoMembers(t *testing.T) {
	a, pa := startMember(t, "s3cret")
	b, _ := startMember(t, "s3cret", pa)
	waitMembers(t, a, 2)
	waitMembers(t, b, 2)
	ctx := context.Background()

	var got atomic.Int64
	ack := NewAcked(b, "inv", func(p []byte) {
		if string(p) == "hello" {
			got.Add(1)
		}
	})
	defer ack.Close()
	sender := NewAcked(a, "inv", func([]byte) {})
	defer sender.Close()
	time.Sleep(200 * time.Millisecond) // subscriptions registered
	n, err := sender.Send(ctx, []byte("hello"), 2*time.Second)
	if err != nil || n != 1 || got.Load() != 1 {
		t.Fatalf("acks = %d, err = %v, handled = %d", n, err, got.Load())
	}

	for i := 1; i <= 3; i++ {
		m := a
		if i%2 == 0 {
			m = b
		}
		v, err := m.Incr(ctx, "limits", "k", time.Minute)
		if err != nil || v != i {
			t.Fatalf("incr %d = %d, %v", i, v, err)
		}
	}
}

func TestOlricWrongSecretRefused(t *testing.T) {
	a, pa := startMember(t, "right")
	b, _ := startMember(t, "wrong", pa)
	time.Sleep(500 * time.Millisecond)
	if len(a.Members(context.Background())) != 1 || len(b.Members(context.Background())) != 1 {
		t.Fatalf("a member with the wrong secret joined: %v %v", a.Members(context.Background()), b.Members(context.Background()))
	}
}

func TestLocal(t *testing.T) {
	l := NewLocal()
	ctx := context.Background()
	got := make(chan string, 1)
	cancel := l.Subscribe("c", func(p []byte) { got <- string(p) })
	defer cancel()
	_ = l.Publish(ctx, "c", []byte("x"))
	if s := <-got; s != "x" {
		t.Fatal(s)
	}
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	for i, want := range []int{1, 2} {
		if v, _ := l.Incr(ctx, "m", "k", time.Second); v != want {
			t.Fatalf("incr %d = %d", i, v)
		}
	}
	now = now.Add(2 * time.Second)
	if v, _ := l.Incr(ctx, "m", "k", time.Second); v != 1 {
		t.Fatalf("after ttl = %d", v)
	}
}
