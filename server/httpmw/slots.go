package httpmw

import (
	"bytes"
	"io"
	"net/http"
)

// Slots is the server's pool of limit.max_connections request slots
// (contract §10.4) with two guards against clients that hold a slot without
// using it:
//
//   - a request body is read in full before the request waits for a slot,
//     so a client that announces a body and then sends it slowly (or never)
//     holds a socket and a goroutine, bounded by the listener's read
//     timeout, but never a slot; bodies larger than the prefetch limit are
//     handed on as read so far plus the rest, for the handler to refuse;
//   - Saturated tells the health check when no slot is free and requests
//     are queueing, so a load balancer stops sending traffic.
//
// It is safe for concurrent use.
type Slots struct {
	live     *Live
	maxBody  int64
	gate     gate
	prefetch bool
}

// NewSlots returns the slot pool; maxBody is the largest body read before
// a slot is taken (the server's max body size).
func NewSlots(l *Live, maxBody int64) *Slots {
	return &Slots{live: l, maxBody: maxBody, prefetch: maxBody > 0}
}

// Middleware reads the body, then runs next inside a slot.
func (s *Slots) Middleware(next http.Handler) http.Handler {
	inner := maxConnections(s.live, &s.gate)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.prefetch && hasBody(r) {
			if err := s.readBody(r); err != nil {
				writeError(w, http.StatusRequestTimeout, "request body not received",
					"the request body did not arrive in time; send it at once after the headers")
				return
			}
		}
		inner.ServeHTTP(w, r)
	})
}

// Saturated reports whether every slot is taken and requests are waiting.
func (s *Slots) Saturated() bool {
	in, waiting := s.gate.state()
	return waiting > 0 || in >= s.live.load().conns
}

// InFlight returns the requests running and waiting, for the health check.
func (s *Slots) InFlight() (running, waiting, limit int) {
	in, q := s.gate.state()
	return in, q, s.live.load().conns
}

// hasBody reports whether r announces a body worth reading ahead.
func hasBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	// A WebSocket or other upgrade has no body to read ahead.
	return r.Header.Get("Upgrade") == ""
}

// readBody replaces r.Body with the first maxBody+1 bytes read now and, if
// there are more, the unread rest. A body of announced length within the
// limit is read in one allocation of its size. The original body is
// closed by the server when the handler returns.
func (s *Slots) readBody(r *http.Request) error {
	if n := r.ContentLength; n > 0 && n <= s.maxBody {
		buf := make([]byte, n)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return err
		}
		r.Body = prefetched{Reader: bytes.NewReader(buf), closer: r.Body}
		return nil
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		return err
	}
	rest := r.Body
	if n <= s.maxBody {
		rest = http.NoBody
	}
	r.Body = prefetched{Reader: io.MultiReader(bytes.NewReader(buf.Bytes()), rest), closer: r.Body}
	return nil
}

// prefetched is a body partly or wholly read ahead.
type prefetched struct {
	io.Reader
	closer io.Closer
}

func (p prefetched) Close() error { return p.closer.Close() }
