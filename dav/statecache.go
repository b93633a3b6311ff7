package dav

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// stateCache remembers each collection's sync state (ctag and sync-token)
// per caller until any DAV table changes (a change event here, or a read
// stamp moved by any node): computing it counts the collection's rows,
// which dominates a PROPFIND of a large calendar.
type stateCache struct {
	gen atomic.Uint64 // bumped by every change to a DAV table
	mu  sync.Mutex
	m   map[string]cachedState
}

type cachedState struct {
	gen uint64
	st  syncState
}

// maxCachedStates bounds the cache; it is emptied when full.
const maxCachedStates = 10000

// davTable reports whether a change to table can change a sync state.
func davTable(table string) bool {
	for _, t := range []string{tableCollection, tableCalendar, tableVCard, tableTombstone} {
		if table == t || strings.HasPrefix(table, t+"_") {
			return true
		}
	}
	return false
}

// davStamp sums the resource layer's read stamps of the DAV tables. They
// move with every committed write, also one another cluster node made
// (which publishes no change event here), and only grow, so the sum
// changes whenever one does.
func davStamp(res resource.Service) uint64 {
	var n uint64
	for _, t := range []string{tableCollection, tableCalendar, tableVCard, tableTombstone} {
		n += res.ReadStamp(t)
	}
	return n
}

// invalidate marks every cached state stale.
func (c *stateCache) invalidate() { c.gen.Add(1) }

// state returns the collection's sync state, computed at most once per
// change generation and caller.
func (h *Handler) state(ctx context.Context, res resource.Service, c *coll) (syncState, error) {
	key := c.ref + "|" + auth.PrincipalFrom(ctx).UserRef
	gen := h.states.gen.Load() + davStamp(res)
	h.states.mu.Lock()
	e, ok := h.states.m[key]
	h.states.mu.Unlock()
	if ok && e.gen == gen {
		return e.st, nil
	}
	st, err := collectionState(ctx, res, c)
	if err != nil {
		return st, err
	}
	h.states.mu.Lock()
	if len(h.states.m) >= maxCachedStates {
		clear(h.states.m)
	}
	h.states.m[key] = cachedState{gen: gen, st: st}
	h.states.mu.Unlock()
	return st, nil
}
