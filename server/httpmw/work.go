package httpmw

import (
	"net/http"
	"time"
)

// Work runs short, CPU-bound read handlers (GET and HEAD on the JSON:API
// and aggregate routes) a few at a time, first come first served, instead
// of all at once. With every request on the CPU together the cores are shared
// among them all, so one request that needs 2 ms of CPU takes 64 ms at 64
// connections; run a few at a time, it waits its turn in the queue and
// then finishes in about its own time: at 64 connections of the mixed
// load, the same throughput and half the p99 (docs/benchmarks.md).
//
// A handler blocked on something else than the CPU (a slow client
// reading a large answer, a slow database) must not stall the others: a
// request that has waited maxWait for a slot runs without one.
type Work struct {
	slots   chan struct{}
	maxWait time.Duration
}

// NewWork returns a limiter of n running handlers (n <= 0: no limit) whose
// waiters give up waiting after maxWait.
func NewWork(n int, maxWait time.Duration) *Work {
	w := &Work{maxWait: maxWait}
	if n > 0 {
		w.slots = make(chan struct{}, n)
	}
	return w
}

// Middleware runs a GET or HEAD inside a slot (or without one after
// maxWait), any other method at once. A request whose context ends while
// it waits gets a 503, as with MaxConnections.
func (w *Work) Middleware(next http.Handler) http.Handler {
	if w.slots == nil {
		return next
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Writes queue on the database's writer, where many in flight
			// share one commit; held back here they commit in smaller
			// batches (creates at 16 connections: a fifth slower).
			next.ServeHTTP(rw, r)
			return
		}
		held, ok := w.acquire(r)
		if !ok {
			writeError(rw, http.StatusServiceUnavailable, "server busy", "the request ended while waiting for a free worker")
			return
		}
		if held {
			defer func() { <-w.slots }()
		}
		next.ServeHTTP(rw, r)
	})
}

// acquire takes a slot; held is false when maxWait passed first, ok false
// when the request's context ended first.
func (w *Work) acquire(r *http.Request) (held, ok bool) {
	select {
	case w.slots <- struct{}{}:
		return true, true
	default:
	}
	t := time.NewTimer(w.maxWait)
	defer t.Stop()
	select {
	case w.slots <- struct{}{}:
		return true, true
	case <-t.C:
		return false, true
	case <-r.Context().Done():
		return false, false
	}
}

// Running returns how many slots are taken, for tests and the health check.
func (w *Work) Running() int { return len(w.slots) }
