package httpmw

import (
	"sync"
	"time"
)

// defaultAttemptKeys bounds the keys an AttemptLimiter tracks.
const defaultAttemptKeys = 100_000

// AttemptLimiter counts failed attempts (sign-in, OTP, password reset) per
// key in fixed windows that start at a key's first failure, and refuses a key
// once it reaches its limit until the window ends. The caller picks the keys,
// e.g. "ip:<ip>" and "email:<email>", usually with one limiter per kind
// (10 failures per 15 minutes per account, 50 per IP). Only failures count,
// so a user who signs in correctly is never locked out by their own
// successes. It is safe for concurrent use.
//
// Memory is bounded: at most 100,000 keys are tracked. When full, expired
// windows are dropped first, then keys below the limit; locked keys are kept
// as long as possible, so flooding the table with fresh keys does not unlock
// an account under attack.
type AttemptLimiter struct {
	mu      sync.Mutex
	perKey  int
	window  time.Duration
	now     func() time.Time
	maxKeys int
	m       map[string]attempts
}

// attempts is one key's failures in its current window.
type attempts struct {
	start time.Time
	count int
}

// NewAttemptLimiter returns a limiter allowing perKey failures (at least 1)
// per window per key. now is the clock; nil means time.Now.
func NewAttemptLimiter(perKey int, window time.Duration, now func() time.Time) *AttemptLimiter {
	if now == nil {
		now = time.Now
	}
	return &AttemptLimiter{perKey: max(1, perKey), window: window, now: now, maxKeys: defaultAttemptKeys, m: map[string]attempts{}}
}

// Allow reports whether key may make another attempt. When it may not,
// retryAfter is the time left until its window ends.
func (a *AttemptLimiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	e, found := a.m[key]
	if !found {
		return true, 0
	}
	if end := e.start.Add(a.window); !now.Before(end) {
		delete(a.m, key)
		return true, 0
	} else if e.count >= a.perKey {
		return false, end.Sub(now)
	}
	return true, 0
}

// Fail records a failed attempt by key.
func (a *AttemptLimiter) Fail(key string) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	e, found := a.m[key]
	if !found || !now.Before(e.start.Add(a.window)) {
		if !found && len(a.m) >= a.maxKeys {
			a.evict(now)
		}
		e = attempts{start: now}
	}
	e.count++
	a.m[key] = e
}

// Reset forgets key's failures, e.g. after it signed in successfully.
func (a *AttemptLimiter) Reset(key string) {
	a.mu.Lock()
	delete(a.m, key)
	a.mu.Unlock()
}

// evict makes room for at least one key. The caller holds a.mu.
func (a *AttemptLimiter) evict(now time.Time) {
	for k, e := range a.m {
		if !now.Before(e.start.Add(a.window)) {
			delete(a.m, k)
		}
	}
	if len(a.m) < a.maxKeys*9/10 {
		return
	}
	for k, e := range a.m {
		if e.count < a.perKey {
			delete(a.m, k)
		}
	}
	// Every key is locked: drop an arbitrary half (map order is random).
	for k := range a.m {
		if len(a.m) < a.maxKeys/2 {
			break
		}
		delete(a.m, k)
	}
}

// len returns the number of keys tracked, for tests.
func (a *AttemptLimiter) len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.m)
}
