package httpmw

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// tooManyBody is Daptin's 429 body, byte for byte.
const tooManyBody = `{"errors":[{"status":"429","title":"Rate limit exceeded","detail":"Too many requests. Please retry after the current one-second window."}]}`

const (
	rateShards     = 64
	defaultMaxKeys = 100_000 // (IP, path) windows kept across all shards
	maxKeyPath     = 256     // longer paths share the bucket of their first 256 bytes
	sweepEvery     = 10      // seconds between sweeps of stale windows in a shard
)

// RateLimit limits each client IP to a number of requests per second on each
// path, in fixed one-second windows (contract §10.4). The limit for a path
// comes from the live limit.rate config ("host/path" before "/path"), else
// DefaultRateLimit. Every response carries X-Ratelimit-Limit,
// X-Ratelimit-Remaining and X-Ratelimit-Reset (the unix second at which the
// window ends); a request over the limit gets Daptin's 429 JSON:API error with
// Retry-After: 1 and never reaches next. /ping and /api/health are exempt, so
// health checks are never refused and carry no headers.
//
// Clients are told apart by ClientIP; IPv6 clients are grouped by their /64,
// since one host can use any address in its /64. The query string is not part
// of the path. now is the clock (nil means time.Now). Memory is bounded: stale
// windows are dropped, and at most 100,000 (IP, path) windows are kept.
func RateLimit(l *Live, now func() time.Time) func(http.Handler) http.Handler {
	return rateLimit(l, now, newRateLimiter(defaultMaxKeys))
}

// rateLimit is RateLimit with the counters passed in, for tests.
func rateLimit(l *Live, now func() time.Time, rl rateCounter) func(http.Handler) http.Handler {
	if now == nil {
		now = time.Now
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			path := r.URL.Path
			if path == "/ping" || path == "/api/health" {
				next.ServeHTTP(w, r)
				return
			}
			snap := l.load()
			limit := snap.rate.limit(r.Host, path)
			win := now().Unix()
			count := rl.hit(clientAddr(r), path, win)
			remaining := limit - count
			if remaining < 0 {
				remaining = 0
			}
			// The three numbers are formatted into one buffer on the stack
			// and become one string, cut in three, in one array.
			var nb [64]byte
			b := strconv.AppendInt(nb[:0], int64(limit), 10)
			l := len(b)
			b = strconv.AppendInt(b, int64(remaining), 10)
			rm := len(b)
			b = strconv.AppendInt(b, win+1, 10)
			all := string(b)
			vals := make([]string, 3)
			vals[0], vals[1], vals[2] = all[:l], all[l:rm], all[rm:]
			h := w.Header()
			h["X-Ratelimit-Limit"] = vals[0:1:1]
			h["X-Ratelimit-Remaining"] = vals[1:2:2]
			h["X-Ratelimit-Reset"] = vals[2:3:3]
			if count > limit {
				h["Retry-After"] = []string{"1"}
				h["Content-Type"] = []string{jsonAPI}
				delete(h, "Content-Length")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(tooManyBody))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// clientAddr is the rate-limit identity of r's client: its IP, with IPv6
// cut to the /64. A RemoteAddr that is not an IP (a Unix socket) gives the
// zero Addr, so all such clients share one bucket.
func clientAddr(r *http.Request) netip.Addr {
	a, err := netip.ParseAddrPort(r.RemoteAddr)
	ip := a.Addr()
	if err != nil {
		ip, err = netip.ParseAddr(ClientIP(r))
		if err != nil {
			return netip.Addr{}
		}
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return ip
}

// rateKey identifies one counter.
type rateKey struct {
	ip   netip.Addr
	path string
}

// rateEntry is the count of requests in one window.
type rateEntry struct {
	window int64 // unix second
	count  uint32
}

// rateShard is one lock's worth of counters.
type rateShard struct {
	mu        sync.Mutex
	m         map[rateKey]rateEntry
	lastSweep int64
	_         [40]byte // keep neighbouring shards' locks off one cache line
}

// rateLimiter counts requests per (IP, path) per second in sharded maps.
type rateLimiter struct {
	shards   [rateShards]rateShard
	perShard int
}

func newRateLimiter(maxKeys int) *rateLimiter {
	rl := &rateLimiter{perShard: max(1, maxKeys/rateShards)}
	for i := range rl.shards {
		rl.shards[i].m = make(map[rateKey]rateEntry)
	}
	return rl
}

// hit counts one request in window win and returns the count so far,
// including this one.
func (rl *rateLimiter) hit(ip netip.Addr, path string, win int64) int {
	if len(path) > maxKeyPath {
		path = path[:maxKeyPath]
	}
	k := rateKey{ip: ip, path: path}
	s := &rl.shards[shardOf(ip, path)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if win-s.lastSweep >= sweepEvery {
		s.sweep(win)
	}
	e, ok := s.m[k]
	switch {
	case !ok:
		if len(s.m) >= rl.perShard {
			s.sweep(win)
			if len(s.m) >= rl.perShard {
				clear(s.m) // flooded with live keys: start over rather than grow
			}
		}
		k.path = strings.Clone(path) // do not pin the request's URL in the map
		e = rateEntry{window: win}
	case e.window != win:
		e = rateEntry{window: win}
	}
	if e.count < 1<<31 {
		e.count++
	}
	s.m[k] = e
	return int(e.count)
}

// sweep drops every window older than win. The caller holds s.mu.
func (s *rateShard) sweep(win int64) {
	for k, e := range s.m {
		if e.window < win {
			delete(s.m, k)
		}
	}
	s.lastSweep = win
}

// len returns the number of windows held, for tests.
func (rl *rateLimiter) len() int {
	n := 0
	for i := range rl.shards {
		s := &rl.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}

// shardOf hashes (ip, path) with FNV-1a; it must not allocate.
func shardOf(ip netip.Addr, path string) uint32 {
	const prime = 16777619
	h := uint32(2166136261)
	b := ip.As16()
	for _, c := range b {
		h = (h ^ uint32(c)) * prime
	}
	for i := 0; i < len(path); i++ {
		h = (h ^ uint32(path[i])) * prime
	}
	return h % rateShards
}
