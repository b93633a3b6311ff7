package resource

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/apiary/apiary/schema"
)

// Stamper is implemented by the resource layer: ReadStamp returns a number
// that changes whenever a committed write may have changed what a read of
// table (its rows, the rows one relation away, and the permission data
// that filter them) returns. Callers cache a read's answer under the stamp
// taken before the read and reuse it only while the stamp is unchanged.
type Stamper interface {
	ReadStamp(table string) uint64
}

var _ Stamper = (*svc)(nil)

// generations counts committed writes: one counter per table for plain
// row changes, and a global one for everything else (permission data,
// memberships, join tables, schema reloads, writes that named no table).
// Every counter only grows, so the sum over a read's dependencies changes
// whenever any of them does.
type generations struct {
	global atomic.Uint64
	mu     sync.Mutex
	tables map[string]*atomic.Uint64
	deps   atomic.Pointer[readDeps]
	// creates remembers which recent commits only created rows.
	creates createLog
}

// readDeps are the counters each table's reads depend on, for one schema.
type readDeps struct {
	sc    *schema.Schema
	mu    sync.Mutex
	table map[string][]*atomic.Uint64
}

func newGenerations() *generations {
	g := &generations{tables: map[string]*atomic.Uint64{}}
	// Start from the clock so that stamps of a previous generations value
	// (a previous resource layer in the same process) are never repeated.
	g.global.Store(uint64(time.Now().UnixNano()))
	return g
}

func (g *generations) counter(table string) *atomic.Uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.tables[table]
	if c == nil {
		c = new(atomic.Uint64)
		g.tables[table] = c
	}
	return c
}

// bumpAll invalidates every stamp.
func (g *generations) bumpAll() { g.global.Add(1) }

// newEpoch invalidates every stamp by more than any table's counter can
// reach, so that stamps keep growing even when a schema change drops a
// table from another's dependencies.
func (g *generations) newEpoch() { g.global.Add(1 << 40) }

// committed records the changes of one committed write transaction.
func (g *generations) committed(changes []Change) {
	if len(changes) == 0 {
		g.bumpAll() // a write that announced nothing may still have written
		return
	}
	per := tableCreates(changes)
	last := "\x00"
	for _, ch := range changes {
		if ch.Table == last {
			continue // a bulk write names the same table many times
		}
		last = ch.Table
		if globalTable(ch.Table) {
			g.bumpAll()
			continue
		}
		v := g.counter(ch.Table).Add(1)
		e := per[ch.Table]
		g.creates.record(ch.Table, v, e.pure, e.refs)
		e.refs = nil // the table named again in this commit adds no more rows
	}
}

// globalTable reports whether a change to table can change reads of any
// table: permission gates, users, groups, memberships and sharing.
func globalTable(table string) bool {
	switch table {
	case "", schema.TableWorld, schema.TableUser, schema.TableUsergroup, schema.TableMembership:
		return true
	}
	return schema.IsJoinTableName(table)
}

// stamp sums the global counter and the counters table depends on.
func (g *generations) stamp(sc *schema.Schema, table string) uint64 {
	d := g.deps.Load()
	if d == nil || d.sc != sc {
		d = &readDeps{sc: sc, table: map[string][]*atomic.Uint64{}}
		g.deps.Store(d)
	}
	if _, known := sc.Table(table); !known {
		return g.global.Load() // nothing to cache; never grow the map for unknown names
	}
	d.mu.Lock()
	cs, ok := d.table[table]
	if !ok {
		cs = g.dependencies(sc, table)
		d.table[table] = cs
	}
	d.mu.Unlock()
	sum := g.global.Load()
	for _, c := range cs {
		sum += c.Load()
	}
	return sum
}

// dependencies lists the counters of table, of every table one relation
// away (either direction, through join tables too) and of every table
// whose foreign keys point at it (a delete there detaches rows here).
func (g *generations) dependencies(sc *schema.Schema, table string) []*atomic.Uint64 {
	names := map[string]bool{table: true}
	t, _ := sc.Table(table)
	for _, l := range t.Links {
		names[l.Target] = true
		if l.JoinTable != "" {
			names[l.JoinTable] = true
		}
	}
	for _, other := range sc.Tables {
		for _, col := range other.Columns {
			if col.IsForeignKey && col.ForeignKeyData.DataSource == "self" && col.ForeignKeyData.Namespace == table {
				names[other.TableName] = true
			}
		}
	}
	cs := make([]*atomic.Uint64, 0, len(names))
	for n := range names {
		cs = append(cs, g.counter(n))
	}
	return cs
}

// ReadStamp implements Stamper.
func (s *svc) ReadStamp(table string) uint64 { return s.gens.stamp(s.Schema(), table) }
