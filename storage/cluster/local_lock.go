package cluster

import (
	"context"
	"time"
)

// entry is a value stored by Local.Update.
type entry struct {
	b       []byte
	expires time.Time // zero: never
}

// Lock implements Cluster: one process, so an in-memory named lock that
// also ends after ttl.
func (l *Local) Lock(ctx context.Context, name string, ttl, wait time.Duration) (func(), error) {
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		held, taken := l.locks[name]
		if !taken {
			mine := make(chan struct{})
			l.locks[name] = mine
			l.mu.Unlock()
			release := func() {
				l.mu.Lock()
				defer l.mu.Unlock()
				if l.locks[name] == mine {
					delete(l.locks, name)
					close(mine)
				}
			}
			if ttl > 0 {
				time.AfterFunc(ttl, release)
			}
			return release, nil
		}
		l.mu.Unlock()
		select {
		case <-held:
		case <-timeout.C:
			return nil, ErrLockTimeout
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Update implements Cluster. fn runs under the Local's mutex, so it must
// not call back into l.
func (l *Local) Update(_ context.Context, dmap, key string, fn func([]byte) ([]byte, time.Duration)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := dmap + "\x00" + key
	now := l.now()
	e, ok := l.values[k]
	if ok && !e.expires.IsZero() && !now.Before(e.expires) {
		delete(l.values, k)
		e = entry{}
	}
	v, ttl := fn(e.b)
	if v == nil {
		delete(l.values, k)
		return nil
	}
	e = entry{b: v}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	if len(l.values) >= 4096 {
		for k2, e2 := range l.values {
			if !e2.expires.IsZero() && !now.Before(e2.expires) {
				delete(l.values, k2)
			}
		}
	}
	l.values[k] = e
	return nil
}
