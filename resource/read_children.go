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
	// ReadChildren calls fn with the values of q.Cols (as Row.Attrs would
	// hold them: nil where Attrs would have no such key, reference_id and
	// foreign keys as UUID text) of every row of table the caller may read
	// (the checks of ListRows) that q selects, ascending on q.Order. It
	// runs one query and holds every matching row's values before the
	// first call; vals is reused between calls. The first error of fn ends
	// the read and is returned. An unknown table, foreign key or order
	// column is a bad request.
	ReadChildren(ctx context.Context, table string, q ChildQuery, fn func(vals []any) error) error
}

// ChildQuery selects the rows of ReadChildren: those whose to-one foreign
// key column FK points at the row Parent (a reference id), with
// Lo <= Order <= Hi when Bounded.
type ChildQuery struct {
	FK, Parent string
	Order      string
	Bounded    bool
	Lo, Hi     int64
	Cols       []string
}

var _ ChildReader = (*svc)(nil)

// ReadChildren implements ChildReader.
func (s *svc) ReadChildren(ctx context.Context, tableName string, q ChildQuery, fn func(vals []any) error) error {
	t, err := table(s.Schema(), tableName)
	if err != nil {
		return err
	}
	if _, err := s.checkTable(ctx, t, auth.OpPeek); err != nil {
		return err
	}
	v := s.views.get(s.d, t)
	fcv, ok := v.col(q.FK)
	if !ok || fcv.fk < 0 || !fcv.api {
		return badParam("fk", "%s is not a foreign key of %s", q.FK, tableName)
	}
	if ocv, ok := v.col(q.Order); !ok || !ocv.api {
		return badParam("order", "%s is not a column of %s", q.Order, tableName)
	}
	parent, ok := refBytes(q.Parent)
	if !ok {
		return badParam("id", "%q is not a row id (UUID)", q.Parent)
	}
	w := &where{d: s.d, v: v, s: s}
	d, col := s.d, baseAlias+"."+s.d.Quote(q.Order)
	w.add(baseAlias+"."+d.Quote(q.FK)+" = (SELECT "+d.Quote(schema.ColID)+" FROM "+d.Quote(v.fks[fcv.fk].target)+" WHERE "+d.Quote(schema.ColReferenceID)+" = ?)", parent)
	if q.Bounded {
		w.add(col+" >= ?", q.Lo)
		w.add(col+" <= ?", q.Hi)
	}
	w.rowPredicate(auth.PrincipalFrom(ctx), auth.OpRead)
	_, raw := d.RawTimeColumn("")
	vals, err := s.readChildren(ctx, v, w, col, q.Cols, raw)
	if errors.Is(err, errOtherTimes) {
		vals, err = s.readChildren(ctx, v, w, col, q.Cols, false)
	}
	if err != nil {
		return err
	}
	for n := len(q.Cols); len(vals) >= n && n > 0; vals = vals[n:] {
		if err := fn(vals[:n:n]); err != nil {
			return err
		}
	}
	return nil
}

// readChildren runs the query of ReadChildren (rows matching w, ordered
// by the quoted column order) and returns the values of every row,
// len(cols) per row; errOtherTimes when rawTimes met a time it cannot
// read.
func (s *svc) readChildren(ctx context.Context, v *view, w *where, order string, cols []string, rawTimes bool) ([]any, error) {
	d := s.d
	out, sel, joins := s.streamPlan(v, cols, auth.PrincipalFrom(ctx).System, rawTimes)
	q := "SELECT " + strings.Join(sel, ", ") + v.from + joins + w.String() + " ORDER BY " + order + " ASC"
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
