package resource

import (
	"context"
	"slices"
	"sync"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// Ordered id lists: a list request that is not on its first rows is
// served from the ordered ids of every row it may show, kept per query
// (its WHERE and ORDER BY with their arguments, which hold the caller's
// identity and groups) under the table's read stamp. One scan of ids
// answers every page and the exact total until a committed write moves the
// stamp; the page's rows are then fetched by id (still under the row
// predicate). Deep pages and any sort then cost one id-ordered scan per
// write burst instead of one per request.
const (
	// orderMinOffset is the first offset served from an ordered list: the
	// first pages of an indexed sort stop after a few rows, cheaper than
	// listing every id.
	orderMinOffset = 100
	// maxOrderIDs bounds every list together, in ids (8 bytes each; keys
	// count too), and maxOrderList one list; a larger result is paged by
	// the database.
	maxOrderIDs  = 2 << 20
	maxOrderList = maxOrderIDs / 4
)

// orderLists holds the ordered ids per query.
type orderLists struct {
	mu      sync.Mutex
	lists   map[string]orderList
	held    int // ids held
	flights map[string]*flight
}

// flight is one read of a list under one stamp that others may wait for.
type flight struct {
	stamp uint64
	done  chan struct{}
	ids   idList
	ok    bool
	err   error
}

// join returns the read of key under stamp in flight, or starts one
// (leader: the caller reads, then calls land).
func (o *orderLists) join(key string, stamp uint64) (f *flight, leader bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if f := o.flights[key]; f != nil && f.stamp == stamp {
		return f, false
	}
	if o.flights == nil {
		o.flights = map[string]*flight{}
	}
	f = &flight{stamp: stamp, done: make(chan struct{})}
	o.flights[key] = f
	return f, true
}

// pending returns the read of key in flight, under whatever stamp.
func (o *orderLists) pending(key string) *flight {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flights[key]
}

// land publishes a read's result to those waiting for it.
func (o *orderLists) land(key string, f *flight, ids idList, ok bool, err error) {
	f.ids, f.ok, f.err = ids, ok, err
	o.mu.Lock()
	if o.flights[key] == f {
		delete(o.flights, key)
	}
	o.mu.Unlock()
	close(f.done)
}

type orderList struct {
	basis
	// delta marks a list that depends only on its table's rows and the
	// permission data (no relation filter or scope), so it can follow
	// creates (stamp_creates.go).
	delta bool
	ids   idList
}

// get returns the list kept for key, under whatever stamp.
func (o *orderLists) get(key string) (orderList, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.lists[key]
	return l, ok
}

// put keeps l for key unless a list read under a newer stamp is kept.
func (o *orderLists) put(key string, l orderList) {
	if l.ids.Len() > maxOrderList {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lists == nil {
		o.lists = map[string]orderList{}
	}
	if old, ok := o.lists[key]; ok {
		if old.stamp > l.stamp {
			return
		}
		o.held -= weight(key, old.ids)
	}
	if o.held+weight(key, l.ids) > maxOrderIDs {
		clear(o.lists)
		o.held = 0
	}
	o.lists[key] = l
	o.held += weight(key, l.ids)
}

// weight counts a kept list in ids (8 bytes each): its ids, its key and
// a fixed overhead, so that many empty lists are bounded too.
func weight(key string, ids idList) int { return ids.Len() + len(key)/8 + 8 }

// reset drops every list (schema reload, Invalidate).
func (o *orderLists) reset() {
	o.mu.Lock()
	clear(o.lists)
	o.held = 0
	o.mu.Unlock()
}

// listPlan is one list query in its forms: the ordered ids, the count,
// and what following creates needs.
type listPlan struct {
	t                 *schema.Table
	v                 *view
	w                 *where
	order             string
	idSQL, countSQL   string
	idArgs, countArgs []any
	delta             bool
}

func newListPlan(d db.Dialect, v *view, w *where, order string, delta bool) *listPlan {
	p := &listPlan{t: v.t, v: v, w: w, order: order, delta: delta}
	p.idSQL, p.idArgs = finish(d, "SELECT "+baseAlias+"."+d.Quote(schema.ColID)+v.from+w.String()+order, w.args)
	p.countSQL, p.countArgs = finish(d, "SELECT COUNT(*)"+v.from+w.String(), w.args)
	return p
}

// pageRows returns one page's rows in order and the exact total: from the
// query's ordered list when one is kept (built on a miss when the page is
// not among the first rows), else from a count and a page query. A deep
// page with no list reads ids first, then the rows by id, so the sort and
// the skipped rows never carry whole rows or their joins; the first pages
// are one query.
func (s *svc) pageRows(ctx context.Context, sc *schema.Schema, p *listPlan, offset, size int) ([]Row, int64, error) {
	if s.tx == nil {
		ids, ok, err := s.orderList(ctx, sc, p, offset >= orderMinOffset)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			rows, err := s.rowsByID(ctx, p, ids.Slice(offset, offset+size))
			return rows, int64(ids.Len()), err
		}
	}
	total, err := s.countRows(ctx, p.t.TableName, p.countSQL, p.countArgs)
	if err != nil || total == 0 || int64(offset) >= total {
		return []Row{}, total, err
	}
	if offset < orderMinOffset {
		sqlText, args := finish(s.d, p.v.sel+p.w.String()+p.order+s.d.LimitOffset(size, offset), p.w.args)
		rows, err := s.query(ctx, s.reader(), p.v, sqlText, args...)
		if rows == nil {
			rows = []Row{}
		}
		return rows, total, err
	}
	ids, err := s.ids(ctx, p.idSQL+s.d.LimitOffset(size, offset), p.idArgs)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.rowsByID(ctx, p, ids)
	return rows, total, err
}

// orderList returns every id the query lists, in order: the kept list
// when it was read under the current stamp, the kept list with the rows
// created since inserted (followCreates), or, when build is set, one scan.
// ok is false when there is no list (or it is known to be too long).
// Concurrent misses of one query under one stamp wait for a single read.
func (s *svc) orderList(ctx context.Context, sc *schema.Schema, p *listPlan, build bool) (ids idList, ok bool, err error) {
	key := countKey(p.idSQL, p.idArgs)
	waited := false
	for {
		// Read before the query: a write committing during it moves the stamp.
		b, steady := s.gens.basis(sc, p.t.TableName)
		kept, found := s.orders.get(key)
		if found && kept.stamp == b.stamp {
			return kept.ids, true, nil
		}
		canFollow := found && steady && kept.delta
		if !build && !canFollow {
			return idList{}, false, nil
		}
		if !waited {
			// A read of this query under an older stamp is under way: wait
			// for it and then follow the creates since, instead of starting
			// another read (under a stream of creates every new stamp would
			// start its own: a whole scan each, or, with a kept list, each
			// placing again the creates the older read is placing).
			if f := s.orders.pending(key); f != nil && f.stamp != b.stamp {
				waited = true
				select {
				case <-f.done:
					continue
				case <-ctx.Done():
					return idList{}, false, ctx.Err()
				}
			}
		}
		f, leader := s.orders.join(key, b.stamp)
		if !leader {
			select {
			case <-f.done:
				if f.err == nil && f.ok {
					return f.ids, true, nil
				}
			case <-ctx.Done():
				return idList{}, false, ctx.Err()
			}
		}
		if leader {
			// Deferred, so waiters are released even if the read panics.
			defer func() { s.orders.land(key, f, ids, ok, err) }()
		}
		return s.readList(ctx, p, key, kept, canFollow, b, steady, build)
	}
}

// readList brings the kept list up to date or reads it again, and keeps it.
func (s *svc) readList(ctx context.Context, p *listPlan, key string, kept orderList, canFollow bool, b basis, steady, build bool) (idList, bool, error) {
	if canFollow {
		ids, ok, err := s.followCreates(ctx, p, kept, b)
		if err != nil {
			return idList{}, false, err
		}
		if ok {
			s.orders.put(key, orderList{basis: b, delta: true, ids: ids})
			return ids, true, nil
		}
	}
	if !build {
		return idList{}, false, nil
	}
	if n, ok := s.cache.count(p.t.TableName, countKey(p.countSQL, p.countArgs)); ok && n > maxOrderList {
		return idList{}, false, nil
	}
	raw, all, err := s.idsUpTo(ctx, p.idSQL, p.idArgs, maxOrderList)
	if err != nil || !all {
		// Too long to keep: the caller counts (which the count cache keeps,
		// so the next request skips this read) and pages in the database.
		return idList{}, false, err
	}
	ids := newIDList(raw)
	s.orders.put(key, orderList{basis: b, delta: p.delta && steady, ids: ids})
	return ids, true, nil
}

// ids runs a query of one integer column.
func (s *svc) ids(ctx context.Context, sqlText string, args []any) ([]int64, error) {
	ids, _, err := s.idsUpTo(ctx, sqlText, args, -1)
	return ids, err
}

// idsUpTo is ids reading at most limit values (no limit when negative);
// all is false when the query had more.
func (s *svc) idsUpTo(ctx context.Context, sqlText string, args []any, limit int) (ids []int64, all bool, err error) {
	rows, err := s.reader().QueryContext(ctx, s.d.Rebind(sqlText), args...)
	if err != nil {
		return nil, false, s.d.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if len(ids) == limit {
			return nil, false, nil
		}
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
	}
	return ids, true, rows.Err()
}

// rowsByID fetches the rows of ids, in that order, under the same filter
// and row predicate (a row changed since the ids were read is left out
// rather than shown to a caller who may no longer read it).
func (s *svc) rowsByID(ctx context.Context, p *listPlan, ids []int64) ([]Row, error) {
	if len(ids) == 0 {
		return []Row{}, nil
	}
	sqlText, args := p.rowsSQL(s.d, ids)
	rows, err := s.query(ctx, s.reader(), p.v, sqlText, args...)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(rows, func(a, b Row) int { return pos[a.ID] - pos[b.ID] })
	if rows == nil {
		rows = []Row{}
	}
	return rows, nil
}

// and is how a condition joins the plan's WHERE clause.
func (p *listPlan) and() string {
	if len(p.w.sql) > 0 {
		return " AND "
	}
	return " WHERE "
}

// rowsSQL selects whole rows by id under the plan's filter.
func (p *listPlan) rowsSQL(d db.Dialect, ids []int64) (string, []any) {
	args := make([]any, 0, len(p.w.args)+len(ids))
	args = append(args, p.w.args...)
	for _, id := range ids {
		args = append(args, id)
	}
	return finish(d, p.v.sel+p.w.String()+p.and()+baseAlias+"."+d.Quote(schema.ColID)+" IN ("+placeholders(len(ids))+")", args)
}
