package resource

import (
	"context"
	"fmt"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// List returns one page of rows the caller may read.
func (s *svc) List(ctx context.Context, tableName string, q Query) (Page, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return Page{}, err
	}
	if _, err := s.checkTable(ctx, t, auth.OpPeek); err != nil {
		return Page{}, err
	}
	return s.list(ctx, sc, t, q, nil)
}

// list runs a permission-filtered, paginated query; scope, when given,
// adds a predicate (used by relation listings).
func (s *svc) list(ctx context.Context, sc *schema.Schema, t *schema.Table, q Query, scope func(w *where)) (Page, error) {
	p, err := s.planList(ctx, sc, t, q, scope)
	if err != nil {
		return Page{}, err
	}
	number, size := pageOf(q)
	page := Page{Number: number, Size: size}
	var rows []Row
	kept := false
	if _, byID := idSorted(q); byID && scope == nil && (q.After != "" || q.Before != "") {
		var cp *listPlan
		var ids []int64
		cp, ids, page.Total, kept, err = s.cursorPage(ctx, sc, t, q, (number-1)*size, size)
		if err == nil && kept {
			rows, err = s.rowsByID(ctx, cp, ids)
		}
		if err != nil {
			return Page{}, err
		}
	}
	if !kept {
		if rows, page.Total, err = s.pageRows(ctx, sc, p, (number-1)*size, size); err != nil {
			return Page{}, err
		}
	}
	page.Rows = applyFields(rows, q.Fields)
	return page, s.includeWithFiles(ctx, sc, t, &page, q.Include)
}

// planList builds a list's filter, row predicate and order.
func (s *svc) planList(ctx context.Context, sc *schema.Schema, t *schema.Table, q Query, scope func(w *where)) (*listPlan, error) {
	v := s.views.get(s.d, t)
	w := &where{d: s.d, v: v, s: s}
	if scope != nil {
		scope(w)
	}
	if err := w.listFilters(sc, q); err != nil {
		return nil, err
	}
	w.rowPredicate(auth.PrincipalFrom(ctx), auth.OpRead)
	order, err := w.orderBy(q.Sort)
	if err != nil {
		return nil, err
	}
	return newListPlan(s.d, v, w, order, scope == nil && len(q.RelFilters) == 0), nil
}

// pageOf applies Daptin's defaults: number 1, size 10, size 0 means 1.
func pageOf(q Query) (number, size int) {
	number, size = q.PageNumber, q.PageSize
	if number < 1 {
		number = 1
	}
	switch {
	case size == 0 && q.PageSize == 0:
		size = DefaultPageSize
	case size < 1:
		size = 1
	case size > MaxPageSize:
		size = MaxPageSize
	}
	return number, size
}

// listFilters adds keyword, query=, relation and cursor filters.
func (w *where) listFilters(sc *schema.Schema, q Query) error {
	if len(q.Conditions) > 0 {
		if err := w.conditions(q.Conditions); err != nil {
			return err
		}
	} else if kw := strings.TrimSpace(q.Keyword); kw != "" {
		w.keyword(kw)
	}
	for name, ids := range q.RelFilters {
		if err := w.relFilter(name, ids); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		ref, param, op string
	}{{q.After, "page[after]", ">"}, {q.Before, "page[before]", "<"}} {
		if c.ref == "" {
			continue
		}
		b, ok := refBytes(c.ref)
		if !ok {
			return badParam(c.param, "%s must be a row id (UUID)", c.param)
		}
		d := w.d
		w.add(baseAlias+"."+d.Quote(schema.ColID)+" "+c.op+" (SELECT "+d.Quote(schema.ColID)+" FROM "+d.Quote(w.v.t.TableName)+" WHERE "+d.Quote(schema.ColReferenceID)+" = ?)", b)
	}
	return nil
}

// keyword searches indexed or unique name-like columns (contract §5.4).
func (w *where) keyword(kw string) {
	var preds []string
	var args []any
	for _, cv := range w.v.cols {
		c := cv.col
		if !cv.api || cv.fk >= 0 || !(c.IsIndexed || c.IsUnique) {
			continue
		}
		if !(strings.Contains(c.ColumnType, "name") || c.ColumnType == "label" || c.ColumnType == "email") {
			continue
		}
		preds = append(preds, "LOWER("+baseAlias+"."+w.d.Quote(c.ColumnName)+") LIKE ?")
		args = append(args, "%"+strings.ToLower(kw)+"%")
	}
	if len(preds) == 0 {
		w.add("1 = 0")
		return
	}
	w.add("("+strings.Join(preds, " OR ")+")", args...)
}

// relFilter keeps rows linked to any of the given ids through relation name.
func (w *where) relFilter(name string, ids []string) error {
	l, ok := w.v.t.Link(name)
	if !ok {
		return badParam(name, "table %q has no relation or parameter %q", w.v.t.TableName, name)
	}
	var refs []any
	for _, id := range ids {
		b, ok := refBytes(strings.TrimSpace(id))
		if !ok {
			return badParam(name, "%s takes row ids (UUIDs)", name)
		}
		refs = append(refs, b)
	}
	if len(refs) == 0 {
		return nil
	}
	d := w.d
	targetIDs := "SELECT " + d.Quote(schema.ColID) + " FROM " + d.Quote(l.Target) + " WHERE " + d.Quote(schema.ColReferenceID) + " IN (" + placeholders(len(refs)) + ")"
	id := baseAlias + "." + d.Quote(schema.ColID)
	switch {
	case l.IsJoin():
		w.add(id+" IN (SELECT "+d.Quote(l.JoinSelf)+" FROM "+d.Quote(l.JoinTable)+" WHERE "+d.Quote(l.JoinOther)+" IN ("+targetIDs+"))", refs...)
	case !l.Reverse:
		w.add(baseAlias+"."+d.Quote(l.FKColumn)+" IN ("+targetIDs+")", refs...)
	default:
		w.add(id+" IN (SELECT "+d.Quote(l.FKColumn)+" FROM "+d.Quote(l.Target)+" WHERE "+d.Quote(schema.ColReferenceID)+" IN ("+placeholders(len(refs))+"))", refs...)
	}
	return nil
}

// applyFields trims attributes to the requested columns (plus the ones
// Daptin always returns).
func applyFields(rows []Row, fields []string) []Row {
	if len(fields) == 0 {
		return rows
	}
	keep := map[string]bool{"__type": true, schema.ColReferenceID: true, schema.ColPermission: true, schema.ColOwner: true}
	for _, f := range fields {
		keep[strings.TrimSpace(f)] = true
	}
	for i := range rows {
		for k := range rows[i].Attrs {
			if !keep[k] {
				delete(rows[i].Attrs, k)
			}
		}
	}
	return rows
}

// countRows runs a COUNT query, served from the count cache outside
// transactions (inside one, uncommitted writes must be counted).
func (s *svc) countRows(ctx context.Context, table, sqlText string, args []any) (int64, error) {
	key := ""
	if s.tx == nil {
		key = countKey(sqlText, args)
		if n, ok := s.cache.count(table, key); ok {
			return n, nil
		}
	}
	var n int64
	if err := s.reader().QueryRowxContext(ctx, s.d.Rebind(sqlText), args...).Scan(&n); err != nil {
		return 0, s.d.MapError(err)
	}
	if s.tx == nil {
		s.cache.storeCount(table, key, n)
	}
	return n, nil
}

// countKey identifies a count query by its text and arguments.
func countKey(sqlText string, args []any) string {
	var b strings.Builder
	b.WriteString(sqlText)
	for _, a := range args {
		b.WriteByte(0)
		switch x := a.(type) {
		case []byte:
			b.Write(x)
		default:
			fmt.Fprint(&b, x)
		}
	}
	return b.String()
}
