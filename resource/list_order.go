package resource

import (
	"context"
	"slices"
	"sync"

	"github.com/apiary/apiary/schema"
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
	// maxOrderIDs bounds every list's ids together (8 bytes each), and
	// maxOrderList one list; a larger result is paged by the database.
	maxOrderIDs  = 2 << 20
	maxOrderList = maxOrderIDs / 4
)

// orderLists holds the ordered ids, grouped by table.
type orderLists struct {
	mu     sync.Mutex
	lists  map[string]orderList
	newest map[string]uint64 // newest stamp stored per table
	held   int               // ids held
}

type orderList struct {
	table string
	stamp uint64
	ids   []int64
}

// get returns the ids stored for key under exactly stamp.
func (o *orderLists) get(key string, stamp uint64) ([]int64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.lists[key]
	if !ok || l.stamp != stamp {
		return nil, false
	}
	return l.ids, true
}

// put stores ids read under stamp. A list older than the newest of its
// table is dropped (it can never be served); a newer stamp drops every
// older list of the table at once.
func (o *orderLists) put(table, key string, stamp uint64, ids []int64) {
	if len(ids) > maxOrderList {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lists == nil {
		o.lists, o.newest = map[string]orderList{}, map[string]uint64{}
	}
	switch n := o.newest[table]; {
	case stamp < n:
		return
	case stamp > n:
		for k, l := range o.lists {
			if l.table == table {
				o.held -= len(l.ids)
				delete(o.lists, k)
			}
		}
		o.newest[table] = stamp
	}
	if old, ok := o.lists[key]; ok {
		o.held -= len(old.ids)
	}
	if o.held+len(ids) > maxOrderIDs {
		clear(o.lists)
		o.held = 0
	}
	o.lists[key] = orderList{table: table, stamp: stamp, ids: ids}
	o.held += len(ids)
}

// reset drops every list (schema reload, Invalidate).
func (o *orderLists) reset() {
	o.mu.Lock()
	clear(o.lists)
	o.held = 0
	o.mu.Unlock()
}

// pageIDs returns the ids of one page in order and the exact total: from
// the query's ordered list when one is kept (built on a miss when the page
// is not among the first rows), else from a count and an id-only page
// query (the rows are fetched afterwards by id, so the sort and the
// skipped rows never carry whole rows or their joins).
func (s *svc) pageIDs(ctx context.Context, sc *schema.Schema, t *schema.Table, v *view, w *where, order string, offset, size int) ([]int64, int64, error) {
	idCol := baseAlias + "." + s.d.Quote(schema.ColID)
	idSQL, idArgs := finish(s.d, "SELECT "+idCol+v.from+w.String()+order, w.args)
	countSQL, countArgs := finish(s.d, "SELECT COUNT(*)"+v.from+w.String(), w.args)
	if s.tx == nil {
		ids, ok, err := s.orderList(ctx, sc, t.TableName, idSQL, idArgs, countSQL, countArgs, offset >= orderMinOffset)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			lo, hi := min(offset, len(ids)), min(offset+size, len(ids))
			return ids[lo:hi], int64(len(ids)), nil
		}
	}
	total, err := s.countRows(ctx, t.TableName, countSQL, countArgs)
	if err != nil || total == 0 || int64(offset) >= total {
		return nil, total, err
	}
	ids, err := s.ids(ctx, idSQL+s.d.LimitOffset(size, offset), idArgs)
	return ids, total, err
}

// orderList returns every id the query lists, in order, from the cache
// under the table's read stamp or, when build is set, by one scan; ok is
// false when there is no list (or it is known to be too long to keep).
func (s *svc) orderList(ctx context.Context, sc *schema.Schema, table, idSQL string, idArgs []any, countSQL string, countArgs []any, build bool) ([]int64, bool, error) {
	stamp := s.gens.stamp(sc, table) // before the read: a write committing during it moves the stamp
	key := countKey(idSQL, idArgs)
	if ids, ok := s.orders.get(key, stamp); ok {
		return ids, true, nil
	}
	if !build {
		return nil, false, nil
	}
	if n, ok := s.cache.count(table, countKey(countSQL, countArgs)); ok && n > maxOrderList {
		return nil, false, nil
	}
	ids, err := s.ids(ctx, idSQL, idArgs)
	if err != nil {
		return nil, false, err
	}
	s.orders.put(table, key, stamp, ids)
	return ids, true, nil
}

// ids runs a query of one integer column.
func (s *svc) ids(ctx context.Context, sqlText string, args []any) ([]int64, error) {
	rows, err := s.reader().QueryContext(ctx, s.d.Rebind(sqlText), args...)
	if err != nil {
		return nil, s.d.MapError(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// rowsByID fetches the rows of ids, in that order, under the same filter
// and row predicate (a row changed since the ids were read is left out
// rather than shown to a caller who may no longer read it).
func (s *svc) rowsByID(ctx context.Context, v *view, w *where, ids []int64) ([]Row, error) {
	if len(ids) == 0 {
		return []Row{}, nil
	}
	cond := " WHERE "
	if len(w.sql) > 0 {
		cond = " AND "
	}
	args := make([]any, 0, len(w.args)+len(ids))
	args = append(args, w.args...)
	for _, id := range ids {
		args = append(args, id)
	}
	sqlText, args := finish(s.d, v.sel+w.String()+cond+baseAlias+"."+s.d.Quote(schema.ColID)+" IN ("+placeholders(len(ids))+")", args)
	rows, err := s.query(ctx, s.reader(), v, sqlText, args...)
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
