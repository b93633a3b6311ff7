package httpmw

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestMaxConnectionsWaits(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.MaxConnections = 2
	live := NewLive(s)
	g := &gate{}
	release := make(chan struct{})
	var running, peak atomic.Int32
	block := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		w.WriteHeader(http.StatusOK)
	})
	h := maxConnections(live, g)(block)
	const total = 5
	var wg sync.WaitGroup
	codes := make([]int, total)
	for i := 0; i < total; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			codes[i] = w.Code
		}()
	}
	waitFor(t, "2 running, 3 waiting", func() bool { in, q := g.state(); return in == 2 && q == 3 })
	if running.Load() != 2 {
		t.Fatalf("%d handlers running, want 2", running.Load())
	}
	close(release)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d: %d (waiting requests must not be rejected)", i, c)
		}
	}
	if peak.Load() > 2 {
		t.Fatalf("peak concurrency %d, limit 2", peak.Load())
	}
	if in, q := g.state(); in != 0 || q != 0 {
		t.Fatalf("gate not empty: %d in flight, %d waiting", in, q)
	}
}

func TestMaxConnectionsContextEnds(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.MaxConnections = 1
	live := NewLive(s)
	g := &gate{}
	release := make(chan struct{})
	var calls atomic.Int32
	h := maxConnections(live, g)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		calls.Add(1)
		<-release
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	waitFor(t, "first request running", func() bool { in, _ := g.state(); return in == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	w := httptest.NewRecorder()
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	}()
	waitFor(t, "second request queued", func() bool { _, q := g.state(); return q == 1 })
	cancel()
	<-waited
	if w.Code != http.StatusServiceUnavailable || calls.Load() != 1 {
		t.Fatalf("cancelled waiter: status %d, handler calls %d", w.Code, calls.Load())
	}
	close(release)
	<-done
	if in, q := g.state(); in != 0 || q != 0 {
		t.Fatalf("gate not empty: %d in flight, %d waiting", in, q)
	}
}

func TestMaxConnectionsRaisedLimitWakesWaiters(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.MaxConnections = 1
	live := NewLive(s)
	g := &gate{}
	release := make(chan struct{})
	h := maxConnections(live, g)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		}()
	}
	waitFor(t, "1 running, 2 waiting", func() bool { in, q := g.state(); return in == 1 && q == 2 })
	s.MaxConnections = 10
	live.Store(s)
	wg.Add(1)
	go func() { // a new arrival applies the raised limit
		defer wg.Done()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	waitFor(t, "4 running", func() bool { in, q := g.state(); return in == 4 && q == 0 })
	close(release)
	wg.Wait()
}
