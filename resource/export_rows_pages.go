package resource

import (
	"context"
	"database/sql"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/internal/pipeline"
	"github.com/apiary/apiary/schema"
)

// rowStream is the state of one StreamRows call. Outside a transaction a
// reader goroutine runs the page queries and scans rows into pages while
// the caller's goroutine turns them into values and runs fn, so the
// driver's work overlaps with the caller's; inside one, both happen in
// turn on the caller's goroutine (a transaction is one connection).
type rowStream struct {
	s     *svc
	v     *view
	cols  []string
	size  int
	p     auth.Principal
	vals  []any
	after int64 // internal id of the last row passed to fn
}

// rawPage is one page query's rows as scanned: width values per row.
type rawPage struct {
	vals []any
	ids  []int64
	last bool  // the final page of the table
	err  error // the query failed
}

// streamPagesInFlight bounds the pages alive at once.
const streamPagesInFlight = 3

// run streams from st.after to the end of the table (done) or until an
// error; errOtherTimes means rawTimes met a time it cannot read.
func (st *rowStream) run(ctx context.Context, rawTimes bool, fn func(vals []any) error) (done bool, err error) {
	s := st.s
	out, sel, joins := s.streamPlan(st.v, st.cols, st.p.System, rawTimes)
	w := &where{d: s.d, v: st.v, s: s}
	w.rowPredicate(st.p, auth.OpRead)
	w.add(baseAlias+"."+s.d.Quote(schema.ColID)+" > ?", st.after)
	q := "SELECT " + strings.Join(sel, ", ") + st.v.from + joins + w.String() +
		" ORDER BY " + baseAlias + "." + s.d.Quote(schema.ColID) + " ASC" + s.d.LimitOffset(st.size, 0)
	q, args := finish(s.d, q, w.args)
	stmt, err := s.prepareRead(ctx, s.d.Rebind(q))
	if err != nil {
		return false, s.d.MapError(err)
	}
	defer stmt.Close()
	width := len(sel)
	consume := func(pg *rawPage) (bool, error) {
		if pg.err != nil {
			return false, pg.err
		}
		for r, id := range pg.ids {
			raw := pg.vals[r*width : (r+1)*width]
			for i, c := range out {
				v, ok := c.value(st.v.t.TableName, raw)
				if !ok {
					return false, errOtherTimes
				}
				st.vals[i] = v
			}
			if err := fn(st.vals); err != nil {
				return false, err
			}
			st.after = id
		}
		return pg.last, nil
	}
	if s.tx != nil {
		pg := &rawPage{}
		for {
			pg.vals, pg.ids = pg.vals[:0], pg.ids[:0]
			s.readPage(ctx, stmt, args, width, st.size, pg)
			if done, err := consume(pg); done || err != nil {
				return done, err
			}
			args[len(args)-1] = st.after
		}
	}
	return st.pipe(ctx, stmt, args, width, consume)
}

// pipe runs the page queries on a reader goroutine, st.size rows each,
// and consumes the pages in order on this one.
func (st *rowStream) pipe(ctx context.Context, stmt *sql.Stmt, args []any, width int, consume func(*rawPage) (bool, error)) (bool, error) {
	pages := make([]*rawPage, streamPagesInFlight)
	for i := range pages {
		pages[i] = &rawPage{}
	}
	produce := func(p *pipeline.Producer[rawPage]) {
		for {
			pg, ok := p.Take()
			if !ok {
				return
			}
			pg.vals, pg.ids = pg.vals[:0], pg.ids[:0]
			st.s.readPage(p.Context(), stmt, args, width, st.size, pg)
			stop := pg.last || pg.err != nil
			if !stop {
				args[len(args)-1] = pg.ids[len(pg.ids)-1]
			}
			if !p.Send(pg) || stop { // pg is the consumer's from here on
				return
			}
		}
	}
	var done bool
	stopped, err := pipeline.Run(ctx, pages, produce, func(pg *rawPage) (bool, error) {
		var err error
		done, err = consume(pg)
		return done, err
	}, func(pg *rawPage) { clear(pg.vals) })
	return stopped && done, err
}

// readPage runs one page query into pg.
func (s *svc) readPage(ctx context.Context, stmt *sql.Stmt, args []any, width, size int, pg *rawPage) {
	pg.last, pg.err = false, nil
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		pg.err = s.d.MapError(err)
		return
	}
	defer rows.Close()
	raw := make([]any, width)
	ptrs := make([]any, width)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			pg.err = err
			return
		}
		id, _ := fromDB(skInt, raw[0]).(int64)
		pg.ids = append(pg.ids, id)
		pg.vals = append(pg.vals, raw...)
	}
	if err := rows.Err(); err != nil {
		pg.err = err
		return
	}
	pg.last = len(pg.ids) < size
}

// prepareRead prepares a query on the reader (the transaction, if any).
func (s *svc) prepareRead(ctx context.Context, q string) (*sql.Stmt, error) {
	if s.tx != nil {
		return s.tx.PrepareContext(ctx, q)
	}
	return s.db.R.PrepareContext(ctx, q)
}
