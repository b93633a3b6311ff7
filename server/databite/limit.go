package databite

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/apiary/apiary/server/httpmw"
)

// TooMany is the seed's body of a refused request.
const TooMany = "Too many requests from this IP, please try again later."

// limiter allows n requests per client address in each window.
type limiter struct {
	n      int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	counts map[string]*slot
}

type slot struct {
	start time.Time
	n     int
}

func newLimiter(n int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{n: n, window: window, now: now, counts: map[string]*slot{}}
}

// allow counts one request from key and reports whether it may go on,
// with the time until the window resets.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.n <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) > 10000 {
		for k, s := range l.counts {
			if now.Sub(s.start) >= l.window {
				delete(l.counts, k)
			}
		}
	}
	s, ok := l.counts[key]
	if !ok || now.Sub(s.start) >= l.window {
		s = &slot{start: now}
		l.counts[key] = s
	}
	s.n++
	return s.n <= l.n, s.start.Add(l.window).Sub(now)
}

// wrap refuses requests over the limit with 429 and the seed's body.
func (l *limiter) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.allow(httpmw.ClientIP(r))
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": TooMany})
			return
		}
		h(w, r)
	}
}
