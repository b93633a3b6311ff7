package auth

import (
	"context"
	"encoding/json"
	"time"
)

// AttemptStore keeps the counts of an AttemptLimiter where several
// servers see them, so that failures on one lock the key on all (a
// cluster's distributed map). Update replaces key's record with what fn
// returns for the current one (nil when absent) while no other server
// updates key; a nil record deletes the key, otherwise it lives for ttl.
type AttemptStore interface {
	Update(ctx context.Context, key string, fn func(old []byte) (record []byte, ttl time.Duration)) error
}

// Share makes a keep its counts in st from now on. When st fails, a falls
// back to this server's own counts for that call. Call it before use.
func (a *AttemptLimiter) Share(st AttemptStore) { a.store = st }

// sharedPoll is how often a reservation waiting on attempts being checked
// on other servers looks again.
const sharedPoll = 20 * time.Millisecond

// sharedTimeout bounds one store call.
const sharedTimeout = 2 * time.Second

// sharedRecord is the stored form of attempts.
type sharedRecord struct {
	Start   int64 `json:"s"` // unix nanoseconds
	Count   int   `json:"c"`
	Pending int   `json:"p"`
}

// updateShared applies change to key's stored attempts; it reports false
// when the store failed.
func (a *AttemptLimiter) updateShared(key string, change func(e attempts, found bool, now time.Time) (attempts, bool)) bool {
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	now := a.now()
	err := a.store.Update(ctx, key, func(old []byte) ([]byte, time.Duration) {
		var r sharedRecord
		found := old != nil && json.Unmarshal(old, &r) == nil
		e, keep := change(attempts{start: time.Unix(0, r.Start), count: r.Count, pending: r.Pending}, found, now)
		if !keep {
			return nil, 0
		}
		b, _ := json.Marshal(sharedRecord{Start: e.start.UnixNano(), Count: e.count, Pending: e.pending})
		// Kept a little past its window so pending reservations resolve
		// against it; an expired window is replaced on the next attempt.
		return b, max(e.start.Add(a.window).Sub(now), 0) + time.Minute
	})
	return err == nil
}

// tryShared is try against the store; ok is false when the store failed.
func (a *AttemptLimiter) tryShared(key string) (res reserveResult, retryAfter time.Duration, wait <-chan struct{}, ok bool) {
	ok = a.updateShared(key, func(e attempts, found bool, now time.Time) (attempts, bool) {
		e = a.current(e, found, now)
		e, res, retryAfter = a.reserveIn(e, now)
		return e, true
	})
	if res == busy {
		ch := make(chan struct{})
		time.AfterFunc(sharedPoll, func() { close(ch) })
		wait = ch
	}
	return res, retryAfter, wait, ok
}

// current returns e, or a new window keeping e's pending reservations
// when e is absent or its window ended.
func (a *AttemptLimiter) current(e attempts, found bool, now time.Time) attempts {
	if !found || !now.Before(e.start.Add(a.window)) {
		return attempts{start: now, pending: e.pending}
	}
	return e
}

// failIn is Fail on a stored record.
func (a *AttemptLimiter) failIn(e attempts, found bool, now time.Time) (attempts, bool) {
	if e.pending > 0 {
		e.pending--
	}
	e = a.current(e, found, now)
	e.count++
	return e, true
}

// cancelIn is Cancel on a stored record.
func cancelIn(e attempts, found bool, _ time.Time) (attempts, bool) {
	if found && e.pending > 0 {
		e.pending--
	}
	return e, found
}

// resetIn is Reset on a stored record.
func resetIn(e attempts, found bool, now time.Time) (attempts, bool) {
	if found && e.pending > 0 {
		return attempts{start: now, pending: e.pending}, true
	}
	return attempts{}, false
}
