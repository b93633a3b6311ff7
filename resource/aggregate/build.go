package aggregate

// The aggregate API (contract core.md §8): GROUP BY queries over one table
// and the tables it joins. Every identifier resolves through the schema,
// every value is a bound argument, and the row read predicate goes into the
// WHERE clause, so a caller aggregates only the rows they may read (Daptin
// aggregates every row).

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// Query is an aggregate request as the client wrote it. Each entry
// may hold a comma-separated list; commas inside parentheses or quotes
// belong to their expression.
type Query struct {
	Columns []string // count, col, table.col, fn(arg) [as alias]; none means count
	Groups  []string // expressions to group by; they are also returned
	Filters []string // op(left,right): eq not lt lte gt gte in notin is
	Having  []string // op(aggregate,value)
	Joins   []string // table@op(left,right)[&op(left,right)...]: LEFT JOIN
	Orders  []string // expr or -expr (descending); expr may be an alias
	// TimeSample (hour, day, week, month or year) groups by the start of
	// that period of TimeColumn, returned under the key "timesample".
	TimeSample string
	// TimeFrom (inclusive) and TimeTo (exclusive) bound TimeColumn.
	TimeFrom, TimeTo string
	// TimeColumn is the column sampled and bounded; "" means created_at.
	TimeColumn string
}

// MaxRows caps the rows one aggregate query returns.
const MaxRows = 10000

// TimeSampleKey is the response key of the time bucket of a time-sampled query.
const TimeSampleKey = "timesample"

// aggTable is the queried table or a joined one.
type aggTable struct {
	t     *schema.Table
	from  string // FROM "table" t
	alias string
}

// aggProj is one SELECT entry.
type aggProj struct {
	e      *aggExpr // nil for the time sample
	expr   string   // canonical text of the expression
	key    string   // response key: alias or expr ("" when hidden)
	c      aggSQL
	hidden bool // added for ORDER BY only
}

// aggBuilder turns a parsed query into one SELECT.
type aggBuilder struct {
	h         Host
	d         db.Dialect
	sc        *schema.Schema
	base      *aggTable
	tables    map[string]*aggTable
	joins     []string
	joinArgs  []any
	projs     []aggProj
	groups    []int // GROUP BY entries: 1-based positions in projs
	groupKeys map[string]bool
	w         clause
	having    []string
	havArgs   []any
	orders    []string
}

// clause collects the predicates of a WHERE clause and their arguments.
type clause struct {
	sql  []string
	args []any
}

func (c *clause) add(sqlText string, args ...any) {
	c.sql = append(c.sql, sqlText)
	c.args = append(c.args, args...)
}

func (c *clause) String() string {
	if len(c.sql) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.sql, " AND ")
}

var aggCmp = map[string]string{"eq": "=", "not": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

// Statement is a built aggregate query: its SQL text, ready to run.
type Statement struct{ b *aggBuilder }

// Build parses q and compiles it against t of the snapshot sc into one
// statement. The caller has applied t's table gate (joined tables go
// through h.Gate); the statement reads only the rows h's read predicate
// lets through.
func Build(ctx context.Context, h Host, sc *schema.Schema, t *schema.Table, q Query) (*Statement, error) {
	pq, err := parseAggregate(q)
	if err != nil {
		return nil, err
	}
	d := h.Dialect()
	b := &aggBuilder{h: h, d: d, sc: sc, base: newAggTable(d, t, baseAlias), tables: map[string]*aggTable{}, groupKeys: map[string]bool{}}
	if err := b.build(ctx, pq, q); err != nil {
		return nil, err
	}
	return &Statement{b: b}, nil
}

// SQL is the statement's text, with ? placeholders, and its arguments.
func (st *Statement) SQL() (string, []any) { return st.b.sql() }

// Run executes the statement and returns one attribute map per result
// row, keyed by alias or expression, __type included.
func (st *Statement) Run(ctx context.Context) ([]map[string]any, error) { return st.b.run(ctx) }

func newAggTable(d db.Dialect, t *schema.Table, alias string) *aggTable {
	return &aggTable{t: t, from: " FROM " + d.Quote(t.TableName) + " " + baseAlias, alias: alias}
}

func (b *aggBuilder) build(ctx context.Context, pq *aggParsed, q Query) error {
	for _, j := range pq.joins {
		if err := b.join(ctx, j); err != nil {
			return err
		}
	}
	cols := pq.columns
	if len(cols) == 0 {
		cols = []aggItem{{e: &aggExpr{kind: exCol, name: "count"}}}
	}
	for _, it := range cols {
		if _, err := b.project(it, false); err != nil {
			return err
		}
	}
	for _, g := range pq.groups {
		if err := b.group(g); err != nil {
			return err
		}
	}
	if err := b.timeSample(q); err != nil {
		return err
	}
	for _, f := range pq.filters {
		if err := b.filter(f); err != nil {
			return err
		}
	}
	if pred, args := b.h.ReadPredicate(ctx, b.base.t); pred != "" {
		b.w.add(pred, args...)
	}
	for _, h := range pq.having {
		l, err := b.compile(h.left, false)
		if err != nil {
			return err
		}
		if l.pick != nil || !b.grouped(h.left) {
			return aggErr("having needs an aggregate or a grouped column: %s", l.key)
		}
		pred, args, err := b.cond(h, l, false)
		if err != nil {
			return err
		}
		b.having = append(b.having, pred)
		b.havArgs = append(b.havArgs, args...)
	}
	for _, o := range pq.orders {
		if err := b.order(o); err != nil {
			return err
		}
	}
	return b.checkGrouping(len(pq.having) > 0)
}

// join adds table@conds as a LEFT JOIN. When the caller's reads are
// restricted, the joined table is a subquery carrying its row predicate.
func (b *aggBuilder) join(ctx context.Context, j aggJoin) error {
	t, ok := b.sc.Table(j.table)
	if !ok {
		return aggErr("join: no table %q", j.table)
	}
	if t == b.base.t || b.tables[t.TableName] != nil {
		return aggErr("join: %q is already part of the query", j.table)
	}
	if err := b.h.Gate(ctx, t); err != nil {
		return err
	}
	at := newAggTable(b.d, t, "j"+strconv.Itoa(len(b.tables)+1))
	b.tables[t.TableName] = at
	src := b.d.Quote(t.TableName)
	if pred, args := b.h.ReadPredicate(ctx, t); pred != "" {
		src = "(SELECT * FROM " + src + " " + baseAlias + " WHERE " + pred + ")"
		b.joinArgs = append(b.joinArgs, args...)
	}
	var on []string
	for _, c := range j.conds {
		l, err := b.compile(c.left, false)
		if err != nil {
			return err
		}
		if !l.col || l.agg {
			return aggErr("join conditions compare columns")
		}
		pred, args, err := b.cond(c, l, true)
		if err != nil {
			return err
		}
		on = append(on, pred)
		b.joinArgs = append(b.joinArgs, args...)
	}
	b.joins = append(b.joins, " LEFT JOIN "+src+" "+at.alias+" ON "+strings.Join(on, " AND "))
	return nil
}

// project adds a SELECT entry (or finds the same one) and returns its
// 1-based position.
func (b *aggBuilder) project(it aggItem, hidden bool) (int, error) {
	c, err := b.compile(it.e, false)
	if err != nil {
		return 0, err
	}
	return b.add(aggProj{e: it.e, expr: c.key, key: it.alias, c: c, hidden: hidden})
}

func (b *aggBuilder) add(p aggProj) (int, error) {
	if p.key == "" && !p.hidden {
		p.key = p.expr
	}
	for i, q := range b.projs {
		if p.hidden && q.expr == p.expr {
			return i + 1, nil
		}
		if !p.hidden && q.key == p.key {
			if q.expr == p.expr {
				return i + 1, nil
			}
			return 0, aggErr("two columns are named %q", p.key)
		}
	}
	b.projs = append(b.projs, p)
	return len(b.projs), nil
}

// group adds a GROUP BY entry, reusing the column that projects it.
func (b *aggBuilder) group(g aggItem) error {
	c, err := b.compile(g.e, false)
	if err != nil {
		return err
	}
	if c.agg {
		return aggErr("cannot group by an aggregate: %s", c.key)
	}
	pos := 0
	for i, p := range b.projs {
		if p.expr == c.key && (g.alias == "" || p.key == g.alias) {
			pos = i + 1
			break
		}
	}
	if pos == 0 {
		if pos, err = b.add(aggProj{e: g.e, expr: c.key, key: g.alias, c: c}); err != nil {
			return err
		}
	}
	b.groupKeys[c.key] = true
	b.groups = append(b.groups, pos)
	return nil
}

// order adds an ORDER BY entry by position: an alias or key of a column,
// or a new hidden column.
func (b *aggBuilder) order(o aggOrder) error {
	pos := 0
	if o.name != "" {
		for i, p := range b.projs {
			if !p.hidden && (p.key == o.name || (isBareCount(o.e) && p.expr == "count")) {
				pos = i + 1
				break
			}
		}
	}
	if pos == 0 {
		var err error
		if pos, err = b.project(aggItem{e: o.e}, true); err != nil {
			return err
		}
	}
	if b.projs[pos-1].c.pick != nil {
		return aggErr("cannot order by first() or last()")
	}
	dir := " ASC"
	if o.desc {
		dir = " DESC"
	}
	b.orders = append(b.orders, strconv.Itoa(pos)+dir)
	return nil
}

// checkGrouping refuses, in a grouped or aggregated query, a column that
// is neither grouped nor inside an aggregate (PostgreSQL and MySQL would
// fail; SQLite would pick an arbitrary row).
func (b *aggBuilder) checkGrouping(having bool) error {
	aggregated := having || len(b.groups) > 0
	for _, p := range b.projs {
		aggregated = aggregated || p.c.agg
	}
	if !aggregated {
		return nil
	}
	for _, p := range b.projs {
		if p.e != nil && !b.grouped(p.e) {
			return aggErr("%s must be in group or inside an aggregate function", p.expr)
		}
	}
	return nil
}

func (b *aggBuilder) grouped(e *aggExpr) bool {
	if b.groupKeys[aggKey(e, b.base.t.TableName)] || isBareCount(e) {
		return true
	}
	switch e.kind {
	case exLit, exStar:
		return true
	case exCall:
		if aggFuncs[e.name].agg {
			return true
		}
		for _, a := range e.args {
			if !b.grouped(a) {
				return false
			}
		}
		return true
	}
	return false
}

// sql assembles the statement and its arguments in text order.
func (b *aggBuilder) sql() (string, []any) {
	var sel []string
	var args []any
	for _, p := range b.projs {
		sel = append(sel, p.c.sql)
		args = append(args, p.c.args...)
	}
	var sb strings.Builder
	sb.WriteString("SELECT " + strings.Join(sel, ", ") + b.base.from + b.fromHint() + strings.Join(b.joins, ""))
	args = append(args, b.joinArgs...)
	sb.WriteString(b.w.String())
	args = append(args, b.w.args...)
	if len(b.groups) > 0 {
		sb.WriteString(" GROUP BY " + strings.Join(b.groupTerms(), ", "))
	}
	if len(b.having) > 0 {
		sb.WriteString(" HAVING " + strings.Join(b.having, " AND "))
		args = append(args, b.havArgs...)
	}
	if len(b.orders) > 0 {
		sb.WriteString(" ORDER BY " + strings.Join(b.orders, ", "))
	}
	sb.WriteString(b.d.LimitOffset(MaxRows, 0))
	return sqlval.Finish(b.d, sb.String(), args)
}

// aggError wraps a database failure; the HTTP layer answers it with a 500
// whose text stays in the log.
func aggError(table string, err error) error {
	return fmt.Errorf("aggregate %s: %w", table, err)
}
