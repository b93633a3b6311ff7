package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/olric-data/olric"
)

// ErrLockTimeout is returned by Lock when the lock stayed taken for the
// whole wait.
var ErrLockTimeout = errors.New("cluster lock not acquired in time")

// locksDMap holds the cluster-wide locks; a lock is a key put if absent.
const locksDMap = "apiary-locks"

// updateLockTTL bounds how long an Update holds its key's lock if the
// member dies half-way.
const updateLockTTL = 5 * time.Second

// Lock implements Cluster with an Olric lock in the apiary-locks DMap.
func (n *Olric) Lock(ctx context.Context, name string, ttl, wait time.Duration) (func(), error) {
	dm, err := n.dmap(ctx, locksDMap)
	if err != nil {
		return nil, err
	}
	lc, err := dm.LockWithTimeout(ctx, name, ttl, wait)
	if errors.Is(err, olric.ErrLockNotAcquired) {
		return nil, ErrLockTimeout
	}
	if err != nil {
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = lc.Unlock(ctx) // ErrNoSuchLock: it ran out already
	}, nil
}

// Update implements Cluster: the key's lock is "<dmap>/<key>" in the
// apiary-locks DMap.
func (n *Olric) Update(ctx context.Context, dmap, key string, fn func([]byte) ([]byte, time.Duration)) error {
	unlock, err := n.Lock(ctx, dmap+"/"+key, updateLockTTL, updateLockTTL)
	if err != nil {
		return err
	}
	defer unlock()
	old, _, err := n.Get(ctx, dmap, key)
	if err != nil {
		return err
	}
	value, ttl := fn(old)
	if value == nil {
		if old == nil {
			return nil
		}
		_, err = n.Delete(ctx, dmap, key)
		return err
	}
	dm, err := n.dmap(ctx, dmap)
	if err != nil {
		return err
	}
	if ttl > 0 {
		return dm.Put(ctx, key, value, olric.PX(ttl))
	}
	return dm.Put(ctx, key, value)
}
