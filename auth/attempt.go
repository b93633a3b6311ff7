package auth

import (
	"sync"
	"time"
)

// defaultAttemptKeys bounds the keys an AttemptLimiter tracks.
const defaultAttemptKeys = 100_000

// AttemptLimiter bounds guesses (sign-in, OTP, password reset) per key in
// fixed windows that start at a key's first attempt. The caller picks the
// keys, e.g. "ip:<ip>" and "email:<email>", usually with one limiter per
// kind (10 per 15 minutes per account, 50 per address).
//
// An attempt is reserved before it is checked (Reserve), so however many
// run in parallel, at most perKey of them are ever checked in a window. A
// reservation that turns out not to be a failure (a correct password, a
// database error) is given back with Cancel, and a success may clear the
// key with Reset, so a user is never locked out by their own successes.
// It is safe for concurrent use.
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

// Reserve takes one attempt for key if it has any left in its window and
// reports whether it did; when it did not, retryAfter is the time left
// until the window ends. A taken attempt counts as a failure until Cancel
// gives it back.
func (a *AttemptLimiter) Reserve(key string) (ok bool, retryAfter time.Duration) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	e, found := a.m[key]
	if found && now.Before(e.start.Add(a.window)) {
		if e.count >= a.perKey {
			return false, e.start.Add(a.window).Sub(now)
		}
	} else {
		if !found && len(a.m) >= a.maxKeys {
			a.evict(now)
		}
		e = attempts{start: now}
	}
	e.count++
	a.m[key] = e
	return true, 0
}

// ReserveAll reserves one attempt for every key, or for none: when one key
// has no attempt left, the ones already taken are given back and
// retryAfter is that key's wait.
func ReserveAll(keys []Reservation) (ok bool, retryAfter time.Duration) {
	for i, k := range keys {
		if ok, wait := k.Limiter.Reserve(k.Key); !ok {
			for _, done := range keys[:i] {
				done.Limiter.Cancel(done.Key)
			}
			return false, wait
		}
	}
	return true, 0
}

// Reservation names one key of one limiter, for ReserveAll.
type Reservation struct {
	Limiter *AttemptLimiter
	Key     string
}

// Cancel gives back an attempt Reserve took that was not a failure.
func (a *AttemptLimiter) Cancel(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, found := a.m[key]; found && e.count > 0 {
		e.count--
		a.m[key] = e
	}
}

// Fail records a failed attempt by key that was not reserved.
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
