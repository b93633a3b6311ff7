package httpmw

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// rateCounter counts one request of (ip, path) in window win and returns
// the window's count so far.
type rateCounter interface {
	hit(ip netip.Addr, path string, win int64) int
}

// SharedCounter adds one to the counter key, which expires after ttl, and
// returns its new value; several servers sharing one gives them one limit.
type SharedCounter func(ctx context.Context, key string, ttl time.Duration) (int, error)

// RateLimitShared is RateLimit with the per-second counters kept in
// shared (a cluster's distributed map), so every node behind a load
// balancer counts the same requests. When shared fails, this node's own
// counter decides.
func RateLimitShared(l *Live, now func() time.Time, shared SharedCounter) func(http.Handler) http.Handler {
	return rateLimit(l, now, &sharedRate{shared: shared, local: newRateLimiter(defaultMaxKeys)})
}

type sharedRate struct {
	shared SharedCounter
	local  *rateLimiter
}

// sharedRateTTL outlives the one-second window by enough for clock skew.
const sharedRateTTL = 3 * time.Second

func (s *sharedRate) hit(ip netip.Addr, path string, win int64) int {
	if len(path) > maxKeyPath {
		path = path[:maxKeyPath]
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n, err := s.shared(ctx, ip.String()+" "+path+" "+strconv.FormatInt(win, 10), sharedRateTTL)
	if err != nil {
		return s.local.hit(ip, path, win)
	}
	return n
}
