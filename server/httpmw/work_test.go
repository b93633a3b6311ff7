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

func TestWorkLimitsRunningHandlers(t *testing.T) {
	t.Parallel()
	w := NewWork(2, time.Minute)
	var running, peak atomic.Int32
	release := make(chan struct{})
	h := w.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
	}))
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/x", nil))
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for w.Running() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // a third handler would start now
	if got := running.Load(); got != 2 {
		t.Fatalf("%d handlers running, want 2", got)
	}
	close(release)
	wg.Wait()
	if peak.Load() != 2 || w.Running() != 0 {
		t.Fatalf("peak %d, slots still taken %d", peak.Load(), w.Running())
	}
}

func TestWorkWaitersRunAfterMaxWait(t *testing.T) {
	t.Parallel()
	w := NewWork(1, 30*time.Millisecond)
	defer holdSlot(t, w)()
	t0 := time.Now()
	rec := httptest.NewRecorder()
	w.Middleware(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusNoContent) })).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNoContent || time.Since(t0) < 30*time.Millisecond {
		t.Fatalf("status %d after %v: want the handler run once maxWait passed", rec.Code, time.Since(t0))
	}
	if w.Running() != 1 {
		t.Fatalf("a request run without a slot took one: %d", w.Running())
	}
}

func TestWorkWaiterGone(t *testing.T) {
	t.Parallel()
	w := NewWork(1, time.Minute)
	defer holdSlot(t, w)()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rec := httptest.NewRecorder()
	ran := false
	w.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true })).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
	if ran || rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("ran %v, status %d: want a 503 and no handler", ran, rec.Code)
	}
}

func TestWorkUnlimited(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	NewWork(0, time.Second).Middleware(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusTeapot) })).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestWorkLetsWritesThrough(t *testing.T) {
	t.Parallel()
	w := NewWork(1, time.Minute)
	defer holdSlot(t, w)()
	for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
		done := make(chan int, 1)
		go func() {
			rec := httptest.NewRecorder()
			w.Middleware(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusAccepted) })).
				ServeHTTP(rec, httptest.NewRequest(m, "/", nil))
			done <- rec.Code
		}()
		select {
		case code := <-done:
			if code != http.StatusAccepted {
				t.Errorf("%s: status %d", m, code)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s waited for the read's slot", m)
		}
	}
}

// holdSlot runs a GET that keeps w's one slot until the returned func is
// called.
func holdSlot(t *testing.T, w *Work) (release func()) {
	t.Helper()
	block, started := make(chan struct{}), make(chan struct{})
	go w.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(started)
		<-block
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	<-started
	return func() { close(block) }
}
