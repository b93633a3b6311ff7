package auth

import (
	"context"
	"sync"
	"time"
)

// defaultAttemptKeys bounds the keys an AttemptLimiter tracks.
const defaultAttemptKeys = 100_000

// AttemptLimiter bounds guesses (sign-in, OTP, password reset) per key in
// fixed windows that start at a key's first attempt. The caller picks the
// keys, e.g. "ip:<ip>" and "email:<email>", usually with one limiter per
// kind (10 failures per 15 minutes per account, 50 per address).
//
// An attempt is reserved before it is checked and resolved after: Fail
// when it was a wrong guess, Cancel when it was not (a correct password, a
// database error). Failures plus attempts still being checked never exceed
// the limit, so however many run in parallel, at most perKey wrong guesses
// are ever checked in a window. A reservation that would pass the limit
// only because others are still being checked waits for them instead of
// being refused, so parallel correct sign-ins are not locked out; once the
// failures alone reach the limit, every reservation is refused until the
// window ends. A success may clear the key with Reset. It is safe for
// concurrent use.
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
	changed chan struct{} // closed and replaced whenever a reservation resolves
	store   AttemptStore  // counts shared with other servers; nil: m only
}

// attempts is one key's failures and pending reservations in its window.
type attempts struct {
	start   time.Time
	count   int // failures
	pending int // reserved, not yet resolved
}

// NewAttemptLimiter returns a limiter allowing perKey failures (at least 1)
// per window per key. now is the clock; nil means time.Now.
func NewAttemptLimiter(perKey int, window time.Duration, now func() time.Time) *AttemptLimiter {
	if now == nil {
		now = time.Now
	}
	return &AttemptLimiter{perKey: max(1, perKey), window: window, now: now, maxKeys: defaultAttemptKeys,
		m: map[string]attempts{}, changed: make(chan struct{})}
}

// reserveResult is the outcome of one try to reserve.
type reserveResult int

const (
	reserved reserveResult = iota
	locked                 // the failures reached the limit
	busy                   // only pending attempts stand in the way: wait
)

// try reserves one attempt for key without waiting. On busy, wait is the
// channel that closes at the next resolution; on locked, retryAfter is the
// time left in the window.
func (a *AttemptLimiter) try(key string) (res reserveResult, retryAfter time.Duration, wait <-chan struct{}) {
	if a.store != nil {
		if res, retryAfter, wait, ok := a.tryShared(key); ok {
			return res, retryAfter, wait
		}
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	e, found := a.m[key]
	if !found || !now.Before(e.start.Add(a.window)) {
		if !found && len(a.m) >= a.maxKeys {
			a.evict(now)
		}
		e = attempts{start: now, pending: e.pending}
	}
	e, res, retryAfter = a.reserveIn(e, now)
	if res == busy {
		return busy, 0, a.changed
	}
	a.m[key] = e
	return res, retryAfter, nil
}

// reserveIn takes one attempt from e, a key's current window, if the
// limit allows.
func (a *AttemptLimiter) reserveIn(e attempts, now time.Time) (attempts, reserveResult, time.Duration) {
	switch {
	case e.count >= a.perKey:
		return e, locked, e.start.Add(a.window).Sub(now)
	case e.count+e.pending >= a.perKey:
		return e, busy, 0
	}
	e.pending++
	return e, reserved, 0
}

// Reserve takes one attempt for key, waiting while attempts still being
// checked use up what is left. It reports false when the key is locked
// (retryAfter is the time left in its window) or ctx ended while waiting.
func (a *AttemptLimiter) Reserve(ctx context.Context, key string) (ok bool, retryAfter time.Duration) {
	return ReserveAll(ctx, []Reservation{{Limiter: a, Key: key}})
}

// Reservation names one key of one limiter, for ReserveAll.
type Reservation struct {
	Limiter *AttemptLimiter
	Key     string
}

// ReserveAll reserves one attempt for every key, or for none. It never
// waits while holding a reservation, so callers reserving overlapping keys
// cannot block each other.
func ReserveAll(ctx context.Context, keys []Reservation) (ok bool, retryAfter time.Duration) {
	for {
		res, wait, ch := reserveEach(keys)
		switch res {
		case reserved:
			return true, 0
		case locked:
			return false, wait
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false, 0
		}
	}
}

// reserveEach tries every key once, giving back what it took unless all
// succeeded.
func reserveEach(keys []Reservation) (reserveResult, time.Duration, <-chan struct{}) {
	for i, k := range keys {
		res, wait, ch := k.Limiter.try(k.Key)
		if res == reserved {
			continue
		}
		for _, done := range keys[:i] {
			done.Limiter.Cancel(done.Key)
		}
		return res, wait, ch
	}
	return reserved, 0, nil
}

// Fail resolves a reservation of key as a wrong guess. Called without a
// reservation, it records one failure.
func (a *AttemptLimiter) Fail(key string) {
	if a.store != nil && a.updateShared(key, a.failIn) {
		return
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	e, found := a.m[key]
	if e.pending > 0 {
		e.pending--
	}
	if !found || !now.Before(e.start.Add(a.window)) {
		if !found && len(a.m) >= a.maxKeys {
			a.evict(now)
		}
		e = attempts{start: now, pending: e.pending}
	}
	e.count++
	a.m[key] = e
	a.broadcast()
}

// Cancel resolves a reservation of key that was not a wrong guess.
func (a *AttemptLimiter) Cancel(key string) {
	if a.store != nil && a.updateShared(key, cancelIn) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, found := a.m[key]; found && e.pending > 0 {
		e.pending--
		a.m[key] = e
	}
	a.broadcast()
}

// Reset forgets key's failures, e.g. after it signed in successfully.
// Reservations still pending are kept.
func (a *AttemptLimiter) Reset(key string) {
	if a.store != nil && a.updateShared(key, resetIn) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, found := a.m[key]; found && e.pending > 0 {
		a.m[key] = attempts{start: a.now(), pending: e.pending}
	} else {
		delete(a.m, key)
	}
	a.broadcast()
}

// broadcast wakes every waiting reservation. The caller holds a.mu.
func (a *AttemptLimiter) broadcast() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// evict makes room for at least one key. The caller holds a.mu.
func (a *AttemptLimiter) evict(now time.Time) {
	for k, e := range a.m {
		if !now.Before(e.start.Add(a.window)) && e.pending == 0 {
			delete(a.m, k)
		}
	}
	if len(a.m) < a.maxKeys*9/10 {
		return
	}
	for k, e := range a.m {
		if e.count < a.perKey && e.pending == 0 {
			delete(a.m, k)
		}
	}
	// Every key is locked or busy: drop an arbitrary half (map order is random).
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
