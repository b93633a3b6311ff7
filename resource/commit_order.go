package resource

import (
	"slices"
	"sync"
)

// commitOrder keeps one table's change events in commit order when several
// connections write at once (PostgreSQL, MySQL): a write holds the locks of
// the tables it changed from just before its commit until its events are
// handed to subscribers, so a write committing later publishes later. Two
// writes of one row are ordered by the database's row lock, and their
// commits (and so their events) by these locks. The transaction bodies
// still run concurrently; only commit and publish are serialised per table.
// A change subscriber therefore must not write synchronously (a write of a
// table whose lock it is called under would wait for itself); every
// subscriber in the tree that writes does so from its own goroutine.
type commitOrder struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// lock takes the locks of the tables pending touches, in name order (so two
// writes over the same tables cannot deadlock), and returns their release.
func (o *commitOrder) lock(pending []Change) (unlock func()) {
	if len(pending) == 0 {
		return func() {}
	}
	names := make([]string, 0, 2)
	for _, c := range pending {
		if !slices.Contains(names, c.Table) {
			names = append(names, c.Table)
		}
	}
	slices.Sort(names)
	held := make([]*sync.Mutex, len(names))
	o.mu.Lock()
	if o.locks == nil {
		o.locks = map[string]*sync.Mutex{}
	}
	for i, n := range names {
		m := o.locks[n]
		if m == nil {
			m = &sync.Mutex{}
			o.locks[n] = m
		}
		held[i] = m
	}
	o.mu.Unlock()
	for _, m := range held {
		m.Lock()
	}
	return func() {
		for i := len(held) - 1; i >= 0; i-- {
			held[i].Unlock()
		}
	}
}
