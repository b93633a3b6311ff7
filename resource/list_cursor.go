package resource

import (
	"context"

	"github.com/apiary/apiary/schema"
)

// Cursor pages: page[after] / page[before] keep rows whose internal id is
// greater / less than the cursor row's (Daptin's meaning). When the list
// is also sorted by id, those rows are one contiguous run of the query's
// ordered id list, so a cursor page is a binary search in the kept list
// plus the fetch of its rows: constant cost per page, however deep, and
// an exact total. Other sorts keep the SQL filter.

// idSorted reports whether q sorts by the id alone, and in which direction.
func idSorted(q Query) (desc, ok bool) {
	if len(q.Sort) != 1 || q.Sort[0].Column != schema.ColID {
		return false, false
	}
	return q.Sort[0].Desc, true
}

// cursorPage answers a page of q (which has a cursor and sorts by id) from
// the ordered list of the same query without its cursor; ok is false when
// the list cannot be kept (in a transaction, or too long).
func (s *svc) cursorPage(ctx context.Context, sc *schema.Schema, t *schema.Table, q Query, offset, size int) (*listPlan, []int64, int64, bool, error) {
	desc, _ := idSorted(q)
	base := q
	base.After, base.Before = "", ""
	p, err := s.planList(ctx, sc, t, base, nil)
	if err != nil || s.tx != nil {
		return nil, nil, 0, false, err
	}
	ids, ok, err := s.orderList(ctx, sc, p, true)
	if err != nil || !ok {
		return nil, nil, 0, false, err
	}
	// ids ascend (or descend) strictly; keep the run the cursors allow.
	lo, hi := 0, ids.Len()
	for _, c := range []struct {
		ref   string
		after bool
	}{{q.After, true}, {q.Before, false}} {
		if c.ref == "" {
			continue
		}
		at, found, err := s.cursorID(ctx, t, c.ref)
		if err != nil {
			return nil, nil, 0, false, err
		}
		if !found { // as the SQL filter: a comparison with no row keeps nothing
			return p, nil, 0, true, nil
		}
		first := ids.Search
		switch {
		case !desc && c.after:
			lo = max(lo, first(func(id int64) bool { return id > at }))
		case !desc:
			hi = min(hi, first(func(id int64) bool { return id >= at }))
		case c.after:
			hi = min(hi, first(func(id int64) bool { return id <= at }))
		default:
			lo = max(lo, first(func(id int64) bool { return id < at }))
		}
	}
	if lo > hi {
		lo = hi
	}
	n := hi - lo
	from, to := min(offset, n), min(offset+size, n)
	return p, ids.Slice(lo+from, lo+to), int64(n), true, nil
}

// cursorID resolves a cursor's reference id to the row's internal id.
func (s *svc) cursorID(ctx context.Context, t *schema.Table, ref string) (int64, bool, error) {
	b, ok := refBytes(ref)
	if !ok {
		return 0, false, badParam("page[after]", "a cursor must be a row id (UUID)")
	}
	ids, err := s.ids(ctx, "SELECT "+s.d.Quote(schema.ColID)+" FROM "+s.d.Quote(t.TableName)+" WHERE "+s.d.Quote(schema.ColReferenceID)+" = ?", []any{b})
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}
