package resource

import (
	"context"
	"errors"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// ChildReader is part of the Service contract: a sidecar reads a few
// columns of the rows under one parent row (a mailbox's messages) in one
// query, without building a Row (a map) per row.
type ChildReader interface {
	// ReadChildren calls fn with the values of cols (as Row.Attrs would
	// hold them: nil where Attrs would have no such key, reference_id and
	// foreign keys as UUID text) of every row of table the caller may read
	// (the checks of ListRows) whose to-one foreign key column fk points at
	// the row parentRef, ascending on the column order. It runs one query
	// and holds every matching row's values before the first call; vals
	// is reused between calls. The first error of fn ends the read and is
	// returned. An unknown table, fk or order column is a bad request.
	ReadChildren(ctx context.Context, table, fk, parentRef, order string, cols []string, fn func(vals []any) error) error
}

var _ ChildReader = (*svc)(nil)

// ReadChildren implements ChildReader.
func (s *svc) ReadChildren(ctx context.Context, tableName, fk, parentRef, order string, cols []string, fn func(vals []any) error) error {
	t, err := table(s.Schema(), tableName)
	if err != nil {
		return err
	}
	if _, err := s.checkTable(ctx, t, auth.OpPeek); err != nil {
		return err
	}
	v := s.views.get(s.d, t)
	fcv, ok := v.col(fk)
	if !ok || fcv.fk < 0 || !fcv.api {
		return badParam("fk", "%s is not a foreign key of %s", fk, tableName)
	}
	ocv, ok := v.col(order)
	if !ok || !ocv.api {
		return badParam("order", "%s is not a column of %s", order, tableName)
	}
	parent, ok := refBytes(parentRef)
	if !ok {
		return badParam("id", "%q is not a row id (UUID)", parentRef)
	}
	_, raw := s.d.RawTimeColumn("")
	target := v.fks[fcv.fk].target
	vals, err := s.readChildren(ctx, v, fk, target, parent, order, cols, raw)
	if errors.Is(err, errOtherTimes) {
		vals, err = s.readChildren(ctx, v, fk, target, parent, order, cols, false)
	}
	if err != nil {
		return err
	}
	for n := len(cols); len(vals) >= n && n > 0; vals = vals[n:] {
		if err := fn(vals[:n:n]); err != nil {
			return err
		}
	}
	return nil
}

// readChildren runs the query of ReadChildren and returns the values of
// every row, len(cols) per row (fk points at target's row parent); errOtherTimes when rawTimes met a time it
// cannot read.
func (s *svc) readChildren(ctx context.Context, v *view, fk, target string, parent []byte, order string, cols []string, rawTimes bool) ([]any, error) {
	d, p := s.d, auth.PrincipalFrom(ctx)
	out, sel, joins := s.streamPlan(v, cols, p.System, rawTimes)
	w := &where{d: d, v: v, s: s}
	w.add(baseAlias+"."+d.Quote(fk)+" = (SELECT "+d.Quote(schema.ColID)+" FROM "+d.Quote(target)+" WHERE "+d.Quote(schema.ColReferenceID)+" = ?)", parent)
	w.rowPredicate(p, auth.OpRead)
	q := "SELECT " + strings.Join(sel, ", ") + v.from + joins + w.String() + " ORDER BY " + baseAlias + "." + d.Quote(order) + " ASC"
	q, args := finish(d, q, w.args)
	rows, err := s.reader().QueryContext(ctx, d.Rebind(q), args...)
	if err != nil {
		return nil, d.MapError(err)
	}
	defer rows.Close()
	width := len(sel)
	scanned := make([]any, width)
	ptrs := make([]any, width)
	for i := range scanned {
		ptrs[i] = &scanned[i]
	}
	var vals []any
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for _, c := range out {
			x, ok := c.value(v.t.TableName, scanned)
			if !ok {
				return nil, errOtherTimes
			}
			vals = append(vals, x)
		}
	}
	return vals, rows.Err()
}
