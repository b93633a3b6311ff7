package imapd

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

func TestLimitsDefaults(t *testing.T) {
	cases := []struct {
		in, want Limits
	}{
		{Limits{}, Limits{DefaultReadTimeout, DefaultIdleTimeout, DefaultMaxConns}},
		{Limits{ReadTimeout: time.Second}, Limits{time.Second, DefaultIdleTimeout, DefaultMaxConns}},
		{Limits{-1, -1, -1}, Limits{DefaultReadTimeout, DefaultIdleTimeout, DefaultMaxConns}},
		{Limits{2 * time.Second, time.Hour, 3}, Limits{2 * time.Second, time.Hour, 3}},
	}
	for _, c := range cases {
		if got := c.in.withDefaults(); got != c.want {
			t.Errorf("%+v.withDefaults() = %+v, want %+v", c.in, got, c.want)
		}
	}
	var b Backend
	if b.Limits() != (Limits{}).withDefaults() {
		t.Errorf("a new backend's limits: %+v", b.Limits())
	}
}

// TestConnDeadlines drives a limitConn over a pipe: the deadline armed
// before each read is the state's inactivity limit, or the library's
// deadline when earlier; a timeout ends the connection for good.
func TestConnDeadlines(t *testing.T) {
	lim := &limiter{}
	lim.limits.Store(&Limits{ReadTimeout: 100 * time.Millisecond, IdleTimeout: 400 * time.Millisecond, MaxConns: 2})
	ln := &limitListener{Listener: &pipeListener{ch: make(chan net.Conn, 1)}, lim: lim}
	server, client := net.Pipe()
	ln.Listener.(*pipeListener).ch <- server
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := nc.(*limitConn)
	if lim.conn(server.RemoteAddr()) != c {
		t.Fatal("accepted connection not registered")
	}
	waitRead := func() time.Duration {
		start := time.Now()
		_, err := c.Read(make([]byte, 1))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("read: %v, want a timeout", err)
		}
		return time.Since(start)
	}
	steps := []struct {
		name     string
		authed   bool
		inLit    bool
		asked    time.Duration // 0 = none
		min, max time.Duration
	}{
		{"before login", false, false, 0, 80 * time.Millisecond, 300 * time.Millisecond},
		{"logged in", true, false, 0, 350 * time.Millisecond, 800 * time.Millisecond},
		{"in a literal", true, true, 0, 80 * time.Millisecond, 300 * time.Millisecond},
		{"library deadline earlier", true, false, 30 * time.Millisecond, 20 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, s := range steps {
		c.mu.Lock()
		c.dead = nil // each step measures one timeout
		c.mu.Unlock()
		c.set(s.authed, s.inLit)
		var asked time.Time
		if s.asked > 0 {
			asked = time.Now().Add(s.asked)
		}
		if err := c.SetReadDeadline(asked); err != nil {
			t.Fatal(err)
		}
		if d := waitRead(); d < s.min || d > s.max {
			t.Errorf("%s: timed out after %v, want %v..%v", s.name, d, s.min, s.max)
		}
	}
	// After a timeout every read fails at once.
	start := time.Now()
	if _, err := c.Read(make([]byte, 1)); err == nil || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("read after a timeout: %v after %v", err, time.Since(start))
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	_ = client.Close()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.Close() // twice is harmless
	if lim.conn(server.RemoteAddr()) != nil {
		t.Fatal("closed connection still registered")
	}
	if lim.conn(nil) != nil {
		t.Fatal("nil address")
	}
	// Admission counts sessions up to MaxConns.
	if !lim.admit() || !lim.admit() || lim.admit() {
		t.Fatal("admit over MaxConns")
	}
	lim.release()
	if !lim.admit() {
		t.Fatal("admit after a release")
	}
	var nilConn *limitConn
	nilConn.set(true, false) // sessions without a registered connection
}

// pipeListener hands out pre-made connections.
type pipeListener struct{ ch chan net.Conn }

func (p *pipeListener) Accept() (net.Conn, error) {
	c, ok := <-p.ch
	if !ok {
		return nil, os.ErrClosed
	}
	return c, nil
}
func (p *pipeListener) Close() error   { close(p.ch); return nil }
func (p *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

func TestHubWakesWatchersOfTheChangedMailbox(t *testing.T) {
	h := NewHub()
	a, a2, b := h.watch("box-a"), h.watch("box-a"), h.watch("box-b")
	woken := func(w *watcher) bool {
		select {
		case <-w.ch:
			return true
		default:
			return false
		}
	}
	cases := []struct {
		name string
		c    resource.Change
		a, b bool
	}{
		{"message in box a", resource.Change{Table: store.TableMail, Op: resource.OpCreate, RefID: "m", Row: map[string]any{"mail_box_id": "box-a"}}, true, false},
		{"message in box b", resource.Change{Table: store.TableMail, Op: resource.OpUpdate, RefID: "m", Row: map[string]any{"mail_box_id": "box-b"}}, false, true},
		{"delete (box unknown) wakes all", resource.Change{Table: store.TableMail, Op: resource.OpDelete, RefID: "m"}, true, true},
		{"mailbox row b", resource.Change{Table: store.TableBox, Op: resource.OpUpdate, RefID: "box-b", Row: map[string]any{}}, false, true},
		{"other table", resource.Change{Table: "todo", Op: resource.OpCreate, RefID: "x", Row: map[string]any{"mail_box_id": "box-a"}}, false, false},
	}
	for _, c := range cases {
		h.Observe(c.c)
		ga, ga2, gb := woken(a), woken(a2), woken(b)
		if ga != c.a || ga2 != c.a || gb != c.b {
			t.Errorf("%s: woke a=%v a2=%v b=%v, want a=%v b=%v", c.name, ga, ga2, gb, c.a, c.b)
		}
	}
	h.unwatch(a)
	h.unwatch(a2)
	h.unwatch(nil)
	if _, ok := h.subs["box-a"]; ok {
		t.Error("empty watcher set kept")
	}
	h.Observe(resource.Change{Table: store.TableMail, Op: resource.OpCreate, RefID: "m", Row: map[string]any{"mail_box_id": "box-a"}})
	if woken(a) || woken(b) {
		t.Error("unwatched or other box woken")
	}
}
