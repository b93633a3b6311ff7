package resource

import (
	"context"
	"slices"

	"github.com/apiary/apiary/schema"
)

// maxFollow is the most created rows a kept list takes in one go; a
// larger burst (an import) lists the table again.
const maxFollow = 32

// followCreates brings a kept ordered list up to basis now when every
// commit since it was read only created rows of its table (and nothing
// that moves every stamp, such as permission data, changed): each created
// row the query shows is inserted where the query's own ORDER BY puts it,
// found by binary search with the database comparing two rows at a time,
// so the order is the dialect's exactly (collations, NULLs, DESC). ok is
// false when the list must be read again.
func (s *svc) followCreates(ctx context.Context, p *listPlan, kept orderList, now basis) ([]int64, bool, error) {
	if !kept.delta || kept.global != now.global || kept.own > now.own {
		return nil, false, nil
	}
	refs, ok := s.gens.creates.creates(p.t.TableName, kept.own, now.own)
	if !ok || len(refs) > maxFollow {
		return nil, false, nil
	}
	ids := kept.ids
	copied := false
	for _, ref := range refs {
		id, shown, err := s.shownID(ctx, p, ref)
		if err != nil || !shown {
			if err != nil {
				return nil, false, err
			}
			continue
		}
		if slices.Contains(ids, id) {
			continue // created while the kept list was read: already in place
		}
		lo, hi := 0, len(ids)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			before, err := s.sortsBefore(ctx, p, id, ids[mid])
			if err != nil {
				return nil, false, err
			}
			if before {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		if !copied {
			ids = slices.Clone(ids) // requests may still be paging the kept slice
			copied = true
		}
		ids = slices.Insert(ids, lo, id)
	}
	return ids, true, nil
}

// shownID returns the id of the row with reference id ref when the list's
// filter and row predicate show it.
func (s *svc) shownID(ctx context.Context, p *listPlan, ref string) (int64, bool, error) {
	b, ok := refBytes(ref)
	if !ok {
		return 0, false, nil
	}
	cond := " WHERE "
	if len(p.w.sql) > 0 {
		cond = " AND "
	}
	args := append(slices.Clip(p.w.args), b)
	sqlText, args := finish(s.d, "SELECT "+baseAlias+"."+s.d.Quote(schema.ColID)+p.v.from+p.w.String()+cond+baseAlias+"."+s.d.Quote(schema.ColReferenceID)+" = ?", args)
	ids, err := s.ids(ctx, sqlText, args)
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}

// sortsBefore asks the database whether row a comes before row b under the
// list's ORDER BY (which ends with the id, so two rows never tie).
func (s *svc) sortsBefore(ctx context.Context, p *listPlan, a, b int64) (bool, error) {
	id := baseAlias + "." + s.d.Quote(schema.ColID)
	ids, err := s.ids(ctx, "SELECT "+id+p.v.from+" WHERE "+id+" IN (?, ?)"+p.order+s.d.LimitOffset(1, 0), []any{a, b})
	if err != nil {
		return false, err
	}
	return len(ids) == 1 && ids[0] == a, nil
}
