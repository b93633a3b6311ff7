package cluster

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/olric-data/olric"
)

// KV is a distributed map of byte values without expiry: what every member
// reads the same way (user topic metadata in "default-cache").
type KV interface {
	// PutNew stores value under key unless key exists; it reports whether
	// it stored.
	PutNew(ctx context.Context, dmap, key string, value []byte) (bool, error)
	Put(ctx context.Context, dmap, key string, value []byte) error
	Get(ctx context.Context, dmap, key string) ([]byte, bool, error)
	Delete(ctx context.Context, dmap, key string) (bool, error)
	// Keys lists the keys starting with prefix.
	Keys(ctx context.Context, dmap, prefix string) ([]string, error)
}

var _ KV = (*Olric)(nil)

// PutNew implements KV.
func (n *Olric) PutNew(ctx context.Context, dmap, key string, value []byte) (bool, error) {
	dm, err := n.dmap(ctx, dmap)
	if err != nil {
		return false, err
	}
	err = dm.Put(ctx, key, value, olric.NX())
	if errors.Is(err, olric.ErrKeyFound) {
		return false, nil
	}
	return err == nil, err
}

// Put implements KV.
func (n *Olric) Put(ctx context.Context, dmap, key string, value []byte) error {
	dm, err := n.dmap(ctx, dmap)
	if err != nil {
		return err
	}
	return dm.Put(ctx, key, value)
}

// Get implements KV.
func (n *Olric) Get(ctx context.Context, dmap, key string) ([]byte, bool, error) {
	dm, err := n.dmap(ctx, dmap)
	if err != nil {
		return nil, false, err
	}
	gr, err := dm.Get(ctx, key)
	if errors.Is(err, olric.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	b, err := gr.Byte()
	return b, err == nil, err
}

// Delete implements KV. Whether the key existed is read first: Olric
// v0.7.4's count of deleted keys is 0 for a key another member owns and
// 1 for a missing key this member owns.
func (n *Olric) Delete(ctx context.Context, dmap, key string) (bool, error) {
	dm, err := n.dmap(ctx, dmap)
	if err != nil {
		return false, err
	}
	if _, ok, err := n.Get(ctx, dmap, key); err != nil || !ok {
		return false, err
	}
	_, err = dm.Delete(ctx, key)
	return err == nil, err
}

// Keys implements KV. It scans through a cluster client of its own: the
// embedded client's Scan reaches the other members without the password
// (Olric v0.7.4), which they refuse.
func (n *Olric) Keys(ctx context.Context, dmap, prefix string) ([]string, error) {
	if _, err := n.client(ctx); err != nil {
		return nil, err
	}
	n.mu.Lock()
	if n.scan == nil {
		cc, err := olric.NewClusterClient([]string{n.name}, olric.WithPassword(n.secret))
		if err != nil {
			n.mu.Unlock()
			return nil, err
		}
		n.scan = cc
	}
	cc := n.scan
	n.mu.Unlock()
	dm, err := cc.NewDMap(dmap)
	if err != nil {
		return nil, err
	}
	it, err := dm.Scan(ctx, olric.Match("^"+regexp.QuoteMeta(prefix)))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []string
	for it.Next() {
		if k := it.Key(); strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out, nil
}
