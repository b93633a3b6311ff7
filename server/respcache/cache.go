// Package respcache keeps encoded answers of read requests in memory, each
// under the resource layer's read stamp taken before the read, so a repeated
// read is answered without a query until a committed write changes the
// stamp. The cache is bounded in bytes; it holds no state outside a Cache.
package respcache

import (
	"sync"
	"sync/atomic"
)

// DefaultMaxBytes bounds a cache built with a size of 0.
const DefaultMaxBytes = 32 << 20

// maxEntryBytes keeps one huge answer from pushing out everything else.
const maxEntryBytes = 1 << 20

// entryOverhead approximates the memory of an entry besides its bytes.
const entryOverhead = 96

type entry struct {
	group string
	stamp uint64
	body  []byte
}

// group tracks the newest stamp seen for a group of answers (one table's
// reads) and the keys stored under it: stamps of a group only grow, so
// when a newer one arrives every older entry of the group is stale and
// goes at once, and a cache under steady writes holds only live answers.
type group struct {
	stamp uint64
	keys  map[string]struct{}
}

// Cache maps request keys to encoded answers. A nil *Cache caches nothing.
type Cache struct {
	max    int64
	mu     sync.Mutex
	m      map[string]entry
	groups map[string]*group
	bytes  int64
	hits   atomic.Uint64
	misses atomic.Uint64
}

// New returns a cache holding at most maxBytes (0 means DefaultMaxBytes; a
// negative size disables caching and returns nil).
func New(maxBytes int64) *Cache {
	if maxBytes < 0 {
		return nil
	}
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Cache{max: maxBytes, m: map[string]entry{}, groups: map[string]*group{}}
}

// Get returns the answer stored under key if it was stored with stamp.
func (c *Cache) Get(key string, stamp uint64) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || e.stamp != stamp {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e.body, true
}

// Put stores body under key, in group grp, with stamp. An answer older
// than the group's newest stamp is not stored; a newer stamp drops the
// group's older answers. The cache keeps body: the caller must not change
// it afterwards.
func (c *Cache) Put(key, grp string, stamp uint64, body []byte) {
	if c == nil || len(body) > maxEntryBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.groups[grp]
	switch {
	case g == nil:
		g = &group{stamp: stamp, keys: map[string]struct{}{}}
		c.groups[grp] = g
	case stamp < g.stamp:
		return // a write committed while this answer was computed
	case stamp > g.stamp:
		for k := range g.keys {
			c.remove(k)
		}
		g = &group{stamp: stamp, keys: map[string]struct{}{}}
		c.groups[grp] = g
	}
	c.remove(key)
	size := entrySize(key, body)
	if c.bytes+size > c.max {
		c.evict(c.max - c.max/4 - size)
	}
	c.m[key] = entry{group: grp, stamp: stamp, body: body}
	g.keys[key] = struct{}{}
	c.bytes += size
}

func entrySize(key string, body []byte) int64 { return int64(len(key) + len(body) + entryOverhead) }

// remove drops key and its group membership; an emptied group goes too.
func (c *Cache) remove(key string) {
	e, ok := c.m[key]
	if !ok {
		return
	}
	delete(c.m, key)
	c.bytes -= entrySize(key, e.body)
	if g := c.groups[e.group]; g != nil {
		delete(g.keys, key)
		if len(g.keys) == 0 {
			delete(c.groups, e.group) // bounded by live entries; a late stale answer then only misses
		}
	}
}

// evict drops entries until at most target bytes remain. Map iteration
// order is unspecified, which makes this a cheap random eviction.
func (c *Cache) evict(target int64) {
	for k := range c.m {
		if c.bytes <= target {
			return
		}
		c.remove(k)
	}
}

// Stats reports the number of entries, their approximate bytes, hits and
// misses since the cache was made.
func (c *Cache) Stats() (entries int, bytes int64, hits, misses uint64) {
	if c == nil {
		return 0, 0, 0, 0
	}
	c.mu.Lock()
	entries, bytes = len(c.m), c.bytes
	c.mu.Unlock()
	return entries, bytes, c.hits.Load(), c.misses.Load()
}
