package scheduler

import (
	"context"
	"time"
)

// Lease decides which node of a cluster runs one firing of a task. Acquire
// returns true on exactly one node for a given key and ttl.
type Lease interface {
	Acquire(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// LocalLease is the lease of a single node: always held.
type LocalLease struct{}

// Acquire always succeeds.
func (LocalLease) Acquire(context.Context, string, time.Duration) (bool, error) { return true, nil }
