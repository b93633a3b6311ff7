package httpmw

import (
	"net/http"
	"sync"
)

// MaxConnections lets at most limit.max_connections requests run at once in
// the whole server (contract §10.4). Further requests wait, first come first
// served, until a slot frees; they are not rejected. A request whose context
// ends while it waits (the client went away, or a deadline passed) gets a 503
// and never reaches next. A changed limit applies to the next request that
// starts or finishes.
func MaxConnections(l *Live) func(http.Handler) http.Handler {
	return maxConnections(l, &gate{})
}

// maxConnections is MaxConnections with the gate passed in, for tests.
func maxConnections(l *Live, g *gate) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !g.acquire(r, l) {
				writeError(w, http.StatusServiceUnavailable, "server busy", "the request ended while waiting for a free connection slot")
				return
			}
			defer g.release(l)
			next.ServeHTTP(w, r)
		})
	}
}

// gate is a FIFO counting semaphore whose size may change between calls.
type gate struct {
	mu       sync.Mutex
	inflight int
	queue    []chan struct{}
}

// acquire takes a slot, waiting for one if need be. It returns false if the
// request's context ended first.
func (g *gate) acquire(r *http.Request, l *Live) bool {
	limit := l.load().conns
	g.mu.Lock()
	g.grant(limit)
	if len(g.queue) == 0 && g.inflight < limit {
		g.inflight++
		g.mu.Unlock()
		return true
	}
	ch := make(chan struct{})
	g.queue = append(g.queue, ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-r.Context().Done():
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, c := range g.queue {
		if c == ch {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			return false
		}
	}
	// Granted a slot just as the context ended: hand it on.
	g.inflight--
	g.grant(l.load().conns)
	return false
}

// release frees a slot and wakes waiters the current limit lets in.
func (g *gate) release(l *Live) {
	limit := l.load().conns
	g.mu.Lock()
	g.inflight--
	g.grant(limit)
	g.mu.Unlock()
}

// grant admits queued requests while there is room. The caller holds g.mu.
func (g *gate) grant(limit int) {
	for len(g.queue) > 0 && g.inflight < limit {
		close(g.queue[0])
		g.queue[0] = nil
		g.queue = g.queue[1:]
		g.inflight++
	}
}

// state returns the in-flight and waiting counts, for tests.
func (g *gate) state() (inflight, waiting int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inflight, len(g.queue)
}
