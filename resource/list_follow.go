package resource

import (
	"context"
	"errors"
	"slices"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// errNoRow: a row being compared vanished (deleted meanwhile); the list
// is read again.
var errNoRow = errors.New("row vanished while being placed")

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
func (s *svc) followCreates(ctx context.Context, p *listPlan, kept orderList, now basis) (idList, bool, error) {
	if !kept.delta || kept.global != now.global || kept.own > now.own {
		return idList{}, false, nil
	}
	refs, ok := s.gens.creates.creates(p.t.TableName, kept.own, now.own)
	if !ok || len(refs) > maxFollow {
		return idList{}, false, nil
	}
	ids := kept.ids
	for _, ref := range refs {
		id, shown, err := s.shownID(ctx, p, ref)
		if err != nil || !shown {
			if err != nil {
				return idList{}, false, err
			}
			continue
		}
		if ids.Contains(id) {
			continue // created while the kept list was read: already in place
		}
		lo, err := s.position(ctx, p, id, ids)
		if errors.Is(err, errNoRow) {
			return idList{}, false, nil // a row was deleted meanwhile: read the list again
		}
		if err != nil {
			return idList{}, false, err
		}
		ids = ids.Insert(lo, id) // a new list: requests may still be paging the kept one
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
	sqlText, args := p.shownSQL(s.d, b)
	ids, err := s.ids(ctx, sqlText, args)
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}

// followFan is how many kept rows one query compares a new row with.
const followFan = 16

// position finds where row id goes in ids under the list's ORDER BY (which
// ends with the id, so two rows never tie): each query has the database
// sort the new row among up to followFan evenly spaced rows of the
// remaining range, so 10,000 rows take two queries and 1,000,000 three.
func (s *svc) position(ctx context.Context, p *listPlan, id int64, ids idList) (int, error) {
	sqlText := p.placeSQL(s.d)
	lo, hi := 0, ids.Len() // the answer is in [lo, hi]
	args := make([]any, followFan+1)
	for lo < hi {
		step := (hi - lo + followFan - 1) / followFan
		var pivots []int
		for i := lo; i < hi; i += step {
			pivots = append(pivots, i)
		}
		args[0] = id
		for i := range followFan {
			args[i+1] = id // unused places repeat the new row: one statement shape
			if i < len(pivots) {
				args[i+1] = ids.At(pivots[i])
			}
		}
		sorted, err := s.ids(ctx, sqlText, args)
		if err != nil {
			return 0, err
		}
		k := slices.Index(sorted, id) // pivots sorted before the new row
		if k < 0 || len(sorted) != len(pivots)+1 {
			return 0, errNoRow
		}
		if k == 0 {
			return lo, nil
		}
		lo = pivots[k-1] + 1
		if k < len(pivots) {
			hi = pivots[k]
		}
	}
	return lo, nil
}

// shownSQL selects the id of the row with a reference id under the plan's
// filter and row predicate.
func (p *listPlan) shownSQL(d db.Dialect, ref []byte) (string, []any) {
	args := append(slices.Clip(p.w.args), ref)
	return finish(d, "SELECT "+baseAlias+"."+d.Quote(schema.ColID)+p.v.from+p.w.String()+p.and()+baseAlias+"."+d.Quote(schema.ColReferenceID)+" = ?", args)
}

// placeSQL sorts followFan+1 rows given by id with the plan's ORDER BY.
func (p *listPlan) placeSQL(d db.Dialect) string {
	col := baseAlias + "." + d.Quote(schema.ColID)
	return "SELECT " + col + p.v.from + " WHERE " + col + " IN (" + placeholders(followFan+1) + ")" + p.order
}
