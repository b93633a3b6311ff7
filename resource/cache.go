package resource

import (
	"strings"
	"sync"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// principalTTL bounds how long a loaded user and its groups are reused.
const principalTTL = 10 * time.Second

// gate is a table's world row: its permission data and row default.
type gate struct {
	obj         auth.Object
	defaultPerm int64
	worldID     int64
}

// caches keeps per-request lookups off the database. Entries are dropped
// when a committed change touches the tables they were read from.
type caches struct {
	mu         sync.Mutex
	principals map[string]cachedPrincipal
	gates      map[string]gate // nil = not loaded
	// gatesGen grows whenever gates is dropped, so a load that raced with
	// a committed change to permission data is not stored (storeGates).
	gatesGen uint64
	// counts keeps list totals per table until the next committed write to
	// that table (or to any join table, which may change sharing), so
	// links.total stays exact while repeated pages skip the COUNT scan.
	counts map[string]map[string]int64
	// shared records, per sharing join table, whether it has any row; a
	// table nobody shares skips the per-row group EXISTS in list queries.
	shared map[string]bool
}

func (c *caches) isShared(joinTable string) (shared, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	shared, known = c.shared[joinTable]
	return shared, known
}

func (c *caches) storeShared(joinTable string, shared bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shared == nil {
		c.shared = map[string]bool{}
	}
	c.shared[joinTable] = shared
}

// maxCountsPerTable bounds the count cache of one table.
const maxCountsPerTable = 512

func (c *caches) count(table, key string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.counts[table][key]
	return n, ok
}

func (c *caches) storeCount(table, key string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]map[string]int64{}
	}
	m := c.counts[table]
	if m == nil || len(m) >= maxCountsPerTable {
		m = map[string]int64{}
		c.counts[table] = m
	}
	m[key] = n
}

type cachedPrincipal struct {
	p       auth.Principal
	expires time.Time
}

func newCaches() *caches { return &caches{principals: map[string]cachedPrincipal{}} }

func (c *caches) principal(email string, now time.Time) (auth.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.principals[email]
	if !ok || now.After(e.expires) {
		return auth.Principal{}, false
	}
	return e.p, true
}

func (c *caches) storePrincipal(email string, p auth.Principal, now time.Time) {
	c.mu.Lock()
	if len(c.principals) > 10000 {
		c.principals = map[string]cachedPrincipal{}
	}
	c.principals[email] = cachedPrincipal{p: p, expires: now.Add(principalTTL)}
	c.mu.Unlock()
}

// gateMap returns the cached gates (nil when not loaded) and the
// generation a load started now must present to storeGates.
func (c *caches) gateMap() (map[string]gate, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gates, c.gatesGen
}

// storeGates keeps g unless the gates were dropped since generation gen
// was read (a change committed while g was loading).
func (c *caches) storeGates(g map[string]gate, gen uint64) {
	c.mu.Lock()
	if gen == c.gatesGen {
		c.gates = g
	}
	c.mu.Unlock()
}

// gatesGeneration returns the current generation of the gate cache.
func (c *caches) gatesGeneration() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gatesGen
}

// Invalidate drops every cached entry (after a schema reload or a bulk
// change made outside the resource layer's write path).
func (c *caches) Invalidate() {
	c.mu.Lock()
	c.principals = map[string]cachedPrincipal{}
	c.gates = nil
	c.gatesGen++
	c.counts = nil
	c.shared = nil
	c.mu.Unlock()
}

// invalidateFor drops what the committed changes may have made stale.
func (c *caches) invalidateFor(changes []Change) {
	var users, gates bool
	c.mu.Lock()
	for _, ch := range changes {
		if ch.Table == schema.TableWorld || schema.IsJoinTableName(ch.Table) || ch.Table == "" {
			c.counts = nil // sharing or table gates may have changed everywhere
			c.shared = nil
		} else {
			delete(c.counts, ch.Table)
		}
	}
	c.mu.Unlock()
	for _, ch := range changes {
		switch {
		case ch.Table == schema.TableUser, ch.Table == schema.TableUsergroup, ch.Table == schema.TableMembership:
			users = true
		case touchesGates(ch.Table):
			gates = true
		}
	}
	if !users && !gates {
		return
	}
	c.mu.Lock()
	if users {
		c.principals = map[string]cachedPrincipal{}
	}
	if gates {
		c.gates = nil
		c.gatesGen++
	}
	c.mu.Unlock()
}

// touchesGates reports whether a change to table may change the table
// gates: the world rows and the world's group sharing.
func touchesGates(table string) bool {
	return table == schema.TableWorld || strings.HasPrefix(table, schema.TableWorld+"_"+schema.TableWorld+"_id_has_")
}
