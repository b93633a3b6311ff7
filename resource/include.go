package resource

import (
	"context"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// resolveLink finds a relation by its name, its FK column or its target
// table name, as Daptin's included_relations accepts all three.
func resolveLink(t *schema.Table, name string) (*schema.Link, bool) {
	if l, ok := t.Link(name); ok {
		return l, true
	}
	for i := range t.Links {
		if t.Links[i].Target == name && !t.Links[i].Reverse {
			return &t.Links[i], true
		}
	}
	return nil, false
}

// include embeds related rows for every requested relation, one batched
// query per relation (two for join tables), filtered by read permission.
func (s *svc) include(ctx context.Context, sc *schema.Schema, t *schema.Table, page *Page, names []string) error {
	if len(names) == 0 {
		return nil
	}
	page.Included = []Row{}
	if len(page.Rows) == 0 {
		return nil
	}
	var links []*schema.Link
	seen := map[string]bool{}
	for _, raw := range names {
		name := strings.TrimSpace(raw)
		if name == "" {
			continue
		}
		if name == "*" {
			for i := range t.Links {
				if l := &t.Links[i]; !l.ToMany && !seen[l.Name] {
					links, seen[l.Name] = append(links, l), true
				}
			}
			continue
		}
		l, ok := resolveLink(t, name)
		if !ok {
			return badParam("include", "table %q has no relation %q", t.TableName, name)
		}
		if !seen[l.Name] {
			links, seen[l.Name] = append(links, l), true
		}
	}
	have := map[string]bool{}
	for _, l := range links {
		tt, ok := sc.Table(l.Target)
		if !ok {
			continue
		}
		related, err := s.relatedRows(ctx, tt, l, page.Rows)
		if err != nil {
			return err
		}
		for i := range page.Rows {
			r := &page.Rows[i]
			refs := related.byOwner[r.ID]
			if r.Rel == nil {
				r.Rel = map[string]any{}
			}
			if l.ToMany {
				list := make([]Ref, 0, len(refs))
				ids := make([]string, 0, len(refs))
				for _, rr := range refs {
					list = append(list, Ref{Type: l.Target, ID: rr.RefID})
					ids = append(ids, rr.RefID)
				}
				r.Rel[l.Name] = list
				if l.IsJoin() {
					r.Attrs[l.Name] = ids
				}
			} else if len(refs) > 0 {
				r.Rel[l.Name] = &Ref{Type: l.Target, ID: refs[0].RefID}
			}
		}
		for _, rr := range related.rows {
			key := rr.Table + "/" + rr.RefID
			if !have[key] {
				have[key] = true
				page.Included = append(page.Included, rr)
			}
		}
	}
	return nil
}

func rowIDs(rows []Row) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

// relatedSet is the readable rows at the other end of a link for a set of
// source rows, keyed by source row id.
type relatedSet struct {
	rows    []Row
	byOwner map[int64][]Row
}

// relatedRows loads, in one or two queries, the rows of tt linked through l
// to the source rows.
func (s *svc) relatedRows(ctx context.Context, tt *schema.Table, l *schema.Link, src []Row) (relatedSet, error) {
	out := relatedSet{byOwner: map[int64][]Row{}}
	ids := rowIDs(src)
	if len(ids) == 0 {
		return out, nil
	}
	d := s.d
	v := s.views.get(d, tt)
	w := &where{d: d, v: v, s: s}
	var pairs map[int64][]int64 // target id -> source ids
	switch {
	case l.IsJoin():
		var err error
		pairs, err = s.joinPairs(ctx, l, ids)
		if err != nil {
			return out, err
		}
		if len(pairs) == 0 {
			return out, nil
		}
		targets := make([]any, 0, len(pairs))
		for id := range pairs {
			targets = append(targets, id)
		}
		w.add(baseAlias+"."+d.Quote(schema.ColID)+" IN ("+placeholders(len(targets))+")", targets...)
	case !l.Reverse:
		pairs = map[int64][]int64{}
		for _, r := range src {
			if fk := r.fks[l.FKColumn]; fk != 0 {
				pairs[fk] = append(pairs[fk], r.ID)
			}
		}
		if len(pairs) == 0 {
			return out, nil
		}
		targets := make([]any, 0, len(pairs))
		for id := range pairs {
			targets = append(targets, id)
		}
		w.add(baseAlias+"."+d.Quote(schema.ColID)+" IN ("+placeholders(len(targets))+")", targets...)
	default:
		w.add(baseAlias+"."+d.Quote(l.FKColumn)+" IN ("+placeholders(len(ids))+")", int64sAny(ids)...)
	}
	w.rowPredicate(auth.PrincipalFrom(ctx), auth.OpRead)
	rows, err := s.query(ctx, s.reader(), v, v.sel+w.String()+" ORDER BY "+baseAlias+"."+d.Quote(schema.ColID), w.args...)
	if err != nil {
		return out, err
	}
	out.rows = rows
	for _, r := range rows {
		if pairs != nil {
			for _, src := range pairs[r.ID] {
				out.byOwner[src] = append(out.byOwner[src], r)
			}
			continue
		}
		src := r.fks[l.FKColumn]
		out.byOwner[src] = append(out.byOwner[src], r)
	}
	return out, nil
}

// joinPairs reads join rows: target id -> source ids.
func (s *svc) joinPairs(ctx context.Context, l *schema.Link, ids []int64) (map[int64][]int64, error) {
	d := s.d
	q := "SELECT " + d.Quote(l.JoinSelf) + ", " + d.Quote(l.JoinOther) + " FROM " + d.Quote(l.JoinTable) + " WHERE " + d.Quote(l.JoinSelf) + " IN (" + placeholders(len(ids)) + ")"
	return s.pairs(ctx, q, ids)
}

func (s *svc) pairs(ctx context.Context, q string, ids []int64) (map[int64][]int64, error) {
	rows, err := s.reader().QueryContext(ctx, s.d.Rebind(q), int64sAny(ids)...)
	if err != nil {
		return nil, s.d.MapError(err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var src, target *int64
		if err := rows.Scan(&src, &target); err != nil {
			return nil, err
		}
		if src != nil && target != nil {
			out[*target] = append(out[*target], *src)
		}
	}
	return out, rows.Err()
}
