package resource

import (
	"sync"

	"github.com/apiary/apiary/schema"
)

// createLogSize is how many recent commits per table the create log
// remembers.
const createLogSize = 64

// createLog remembers, per table, the recent commits that moved the
// table's counter: the counter value after the commit and, when every
// change the commit made to that table was a create, the reference ids it
// created. A kept ordered list can then follow a burst of creates by
// inserting the new rows instead of listing the table again
// (list_order.go).
type createLog struct {
	mu     sync.Mutex
	tables map[string]*[createLogSize]createEntry
}

type createEntry struct {
	counter uint64   // the table's counter after the commit; 0 = empty
	pure    bool     // every change to the table was a create
	refs    []string // the rows created
}

// record notes one move of table's counter to value.
func (l *createLog) record(table string, value uint64, pure bool, refs []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tables == nil {
		l.tables = map[string]*[createLogSize]createEntry{}
	}
	ring := l.tables[table]
	if ring == nil {
		ring = new([createLogSize]createEntry)
		l.tables[table] = ring
	}
	ring[value%createLogSize] = createEntry{counter: value, pure: pure, refs: refs}
}

// creates returns the rows created by the commits that moved table's
// counter from (exclusive) to to (inclusive), or false when one of them
// did more than create rows or is no longer remembered.
func (l *createLog) creates(table string, from, to uint64) ([]string, bool) {
	if to < from || to-from >= createLogSize {
		return nil, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ring := l.tables[table]
	if ring == nil && to > from {
		return nil, false
	}
	var refs []string
	for v := from + 1; v <= to; v++ {
		e := ring[v%createLogSize]
		if e.counter != v || !e.pure {
			return nil, false
		}
		refs = append(refs, e.refs...)
	}
	return refs, true
}

// tableCreates sorts one commit's changes by table: whether every change
// to a table was a create, and the ids created.
func tableCreates(changes []Change) map[string]*createEntry {
	out := map[string]*createEntry{}
	for _, ch := range changes {
		e := out[ch.Table]
		if e == nil {
			e = &createEntry{pure: true}
			out[ch.Table] = e
		}
		if ch.Op != OpCreate || ch.RefID == "" {
			e.pure = false
			e.refs = nil
		}
		if e.pure {
			e.refs = append(e.refs, ch.RefID)
		}
	}
	return out
}

// basis is what a kept ordered list was read under: the read stamp, and
// the global counter and the table's own counter read together with it.
type basis struct {
	stamp, global, own uint64
}

// basis reads a table's stamp with its global and own counters; ok is
// false when a commit moved them while they were read.
func (g *generations) basis(sc *schema.Schema, table string) (basis, bool) {
	own := g.counter(table)
	g0, c0 := g.global.Load(), own.Load()
	st := g.stamp(sc, table)
	g1, c1 := g.global.Load(), own.Load()
	return basis{stamp: st, global: g0, own: c0}, g0 == g1 && c0 == c1
}
