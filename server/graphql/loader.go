package graphql

import (
	"context"
	"sync"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// obj is one row handed to field resolvers, with the set of rows it was
// fetched with so its relations load once for all of them.
type obj struct {
	row resource.Row
	set *rowSet
}

// rowSet is a group of rows of one table fetched together in one request.
// It lives only as long as the request's result tree, so it is the
// per-request loader: each relation of the set is loaded at most once.
type rowSet struct {
	table string
	rows  []*obj
	mu    sync.Mutex
	rels  map[string]*relResult
}

// relResult is one relation loaded for every row of a set.
type relResult struct {
	err      error
	byParent map[string][]*obj // parent reference id -> targets, in order
}

// newSet wraps rows of one table as a set.
func newSet(table string, rows []resource.Row) *rowSet {
	s := &rowSet{table: table, rows: make([]*obj, len(rows)), rels: map[string]*relResult{}}
	for i := range rows {
		s.rows[i] = &obj{row: rows[i], set: s}
	}
	return s
}

// adopt records relations a list already included: Row.Rel holds each
// row's linkage and included the target rows.
func (s *rowSet) adopt(links []*schema.Link, included []resource.Row) {
	if len(links) == 0 {
		return
	}
	byKey := make(map[string]*resource.Row, len(included))
	for i := range included {
		byKey[included[i].Table+"/"+included[i].RefID] = &included[i]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range links {
		s.rels[l.Name] = s.group(l, func(table, id string) (resource.Row, bool) {
			r, ok := byKey[table+"/"+id]
			if !ok {
				return resource.Row{}, false
			}
			return *r, true
		})
	}
}

// group builds a relation result from each row's linkage; targets become
// one new set, so relations of the next level are batched too.
func (s *rowSet) group(l *schema.Link, find func(table, id string) (resource.Row, bool)) *relResult {
	res := &relResult{byParent: map[string][]*obj{}}
	child := &rowSet{table: l.Target, rels: map[string]*relResult{}}
	seen := map[string]*obj{}
	for _, o := range s.rows {
		for _, ref := range linkage(o.row.Rel[l.Name]) {
			t, ok := seen[ref.ID]
			if !ok {
				r, found := find(l.Target, ref.ID)
				if !found {
					continue // not readable by the caller
				}
				t = &obj{row: r, set: child}
				seen[ref.ID] = t
				child.rows = append(child.rows, t)
			}
			res.byParent[o.row.RefID] = append(res.byParent[o.row.RefID], t)
		}
	}
	return res
}

// linkage normalises Row.Rel values (*Ref, Ref or []Ref).
func linkage(v any) []resource.Ref {
	switch x := v.(type) {
	case *resource.Ref:
		if x == nil {
			return nil
		}
		return []resource.Ref{*x}
	case resource.Ref:
		return []resource.Ref{x}
	case []resource.Ref:
		return x
	}
	return nil
}

// related returns the targets of relation l for row o, loading the
// relation for the whole set on first use with one List per chunk of
// MaxPageSize rows.
func (o *obj) related(ctx context.Context, res resource.Service, l *schema.Link) ([]*obj, error) {
	s := o.set
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.rels[l.Name]; ok {
		return r.byParent[o.row.RefID], r.err
	}
	r := s.load(ctx, res, l)
	s.rels[l.Name] = r
	return r.byParent[o.row.RefID], r.err
}

// load fetches relation l for every row of the set. The caller holds s.mu.
func (s *rowSet) load(ctx context.Context, res resource.Service, l *schema.Link) *relResult {
	rowsByRef := make(map[string]*obj, len(s.rows))
	var included []resource.Row
	for start := 0; start < len(s.rows); start += resource.MaxPageSize {
		end := min(start+resource.MaxPageSize, len(s.rows))
		ids := make([]any, 0, end-start)
		for _, o := range s.rows[start:end] {
			ids = append(ids, o.row.RefID)
		}
		page, err := res.List(ctx, s.table, resource.Query{
			PageSize:   len(ids),
			Conditions: []resource.Condition{{Column: schema.ColReferenceID, Operator: "in", Value: ids}},
			Include:    []string{l.Name},
		})
		if err != nil {
			return &relResult{err: err}
		}
		for i := range page.Rows {
			r := page.Rows[i]
			rowsByRef[r.RefID] = &obj{row: r}
		}
		included = append(included, page.Included...)
	}
	// Linkage comes from the fresh rows; the set's own rows keep theirs.
	probe := &rowSet{table: s.table}
	for _, o := range s.rows {
		if fresh, ok := rowsByRef[o.row.RefID]; ok {
			probe.rows = append(probe.rows, &obj{row: resource.Row{RefID: o.row.RefID, Rel: fresh.row.Rel}})
		}
	}
	byKey := make(map[string]int, len(included))
	for i := range included {
		byKey[included[i].Table+"/"+included[i].RefID] = i
	}
	return probe.group(l, func(table, id string) (resource.Row, bool) {
		i, ok := byKey[table+"/"+id]
		if !ok {
			return resource.Row{}, false
		}
		return included[i], true
	})
}
