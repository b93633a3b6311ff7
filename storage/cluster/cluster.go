package cluster

import (
	"context"
	"time"
)

// Cluster is what the rest of the server needs from the nodes around it.
type Cluster interface {
	// Publish sends payload to the subscribers of channel on every member,
	// this one included.
	Publish(ctx context.Context, channel string, payload []byte) error
	// Subscribe calls fn for every message on channel until cancel is
	// called. fn runs on one goroutine per subscription, in order.
	Subscribe(channel string, fn func(payload []byte)) (cancel func())
	// Incr adds one to the counter key of dmap and returns the new value;
	// a counter that did not exist starts at zero and lives for ttl.
	Incr(ctx context.Context, dmap, key string, ttl time.Duration) (int, error)
	// Lock waits at most wait until this node holds the cluster-wide lock
	// name (ErrLockTimeout otherwise); the lock ends after ttl unless
	// unlock is called first.
	Lock(ctx context.Context, name string, ttl, wait time.Duration) (unlock func(), err error)
	// Update replaces the value of key in dmap with what fn returns for
	// the current one (nil when absent), holding a cluster-wide lock on
	// key meanwhile; a nil value deletes the key, otherwise it lives for
	// ttl. fn runs at most once.
	Update(ctx context.Context, dmap, key string, fn func(old []byte) (value []byte, ttl time.Duration)) error
	// Members returns the names of the live members, this one included.
	Members(ctx context.Context) []string
	// Ready is closed once the member has joined (or formed) its cluster.
	Ready() <-chan struct{}
	// Node is this member's name.
	Node() string
	// Close leaves the cluster.
	Close(ctx context.Context) error
}
