package resource

// The aggregate API (contract core.md §8) over the compiler in
// resource/aggregate: this file applies the table gates, hands the
// compiler the caller's read predicate and typed values (aggHost), and
// turns its result maps into rows.

import (
	"context"
	"database/sql"
	"errors"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource/aggregate"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// AggregateQuery is an aggregate request as the client wrote it.
type AggregateQuery = aggregate.Query

// MaxAggregateRows caps the rows one aggregate query returns.
const MaxAggregateRows = aggregate.MaxRows

// TimeSampleKey is the response key of the time bucket of a time-sampled query.
const TimeSampleKey = aggregate.TimeSampleKey

// Aggregate runs an aggregate query over table. Guests, and callers without
// Peek and Execute on the table's (or a joined table's) world row, are
// refused; rows are those the caller may read.
func (s *svc) Aggregate(ctx context.Context, tableName string, q AggregateQuery) ([]Row, error) {
	st, err := s.aggregateStatement(ctx, tableName, q)
	if err != nil {
		return nil, err
	}
	res, err := st.Run(ctx)
	if err != nil {
		return nil, aggBadRequest(err)
	}
	out := make([]Row, len(res))
	for i, attrs := range res {
		ref, _ := newRefID()
		out[i] = Row{Table: attrs["__type"].(string), RefID: ref, Attrs: attrs}
	}
	return out, nil
}

// aggregateStatement checks the gates and builds the statement of an
// aggregate query without running it.
func (s *svc) aggregateStatement(ctx context.Context, tableName string, q AggregateQuery) (*aggregate.Statement, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return nil, err
	}
	h := aggHost{s: s}
	if err := h.Gate(ctx, t); err != nil {
		return nil, err
	}
	st, err := aggregate.Build(ctx, h, sc, t, q)
	return st, aggBadRequest(err)
}

// aggBadRequest turns the compiler's refusals into the layer's 400.
func aggBadRequest(err error) error {
	var ae *aggregate.Error
	if errors.As(err, &ae) {
		return &Error{Kind: ErrBadRequest, Title: "Invalid aggregation query", Detail: ae.Detail}
	}
	return err
}

// aggHost is the resource layer as the aggregate compiler needs it.
type aggHost struct{ s *svc }

var _ aggregate.Host = aggHost{}

func (h aggHost) Dialect() db.Dialect { return h.s.d }

// Gate applies the table gate of the aggregate API: a signed-in caller
// with Peek and Execute on the world row.
func (h aggHost) Gate(ctx context.Context, t *schema.Table) error {
	if auth.PrincipalFrom(ctx).IsGuest() {
		return forbidden(TitleTableGate)
	}
	for _, op := range []auth.Op{auth.OpPeek, auth.OpExecute} {
		if _, err := h.s.checkTable(ctx, t, op); err != nil {
			return err
		}
	}
	return nil
}

func (h aggHost) Column(t *schema.Table, name string) (*aggregate.Column, bool) {
	v := h.s.views.get(h.s.d, t)
	cv, ok := v.col(name)
	if !ok {
		return nil, false
	}
	c := &aggregate.Column{Col: cv.col, Kind: cv.sk, Secret: cv.secret, API: cv.api}
	if cv.fk >= 0 {
		c.FK = v.fks[cv.fk].target
	}
	return c, true
}

func (h aggHost) ReadPredicate(ctx context.Context, t *schema.Table) (string, []any) {
	w := &where{d: h.s.d, v: h.s.views.get(h.s.d, t), s: h.s}
	w.rowPredicate(auth.PrincipalFrom(ctx), auth.OpRead)
	if len(w.sql) == 0 {
		return "", nil
	}
	return w.sql[0], w.args
}

func (h aggHost) FilterArg(t *schema.Table, c *aggregate.Column, v any) (any, error) {
	w := &where{d: h.s.d, v: h.s.views.get(h.s.d, t), s: h.s}
	cv, _ := w.v.col(c.Col.ColumnName)
	a, err := w.filterArg(cv, v)
	if e, ok := err.(*Error); ok {
		return nil, &aggregate.Error{Detail: e.Detail}
	}
	return a, err
}

func (h aggHost) Query(ctx context.Context, sqlText string, args ...any) (*sql.Rows, error) {
	return h.s.reader().QueryContext(ctx, sqlText, args...)
}
