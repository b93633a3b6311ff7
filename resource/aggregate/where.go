package aggregate

// The WHERE, HAVING and JOIN conditions of aggregate queries, and the time
// window: values are bound arguments, typed for the column they compare
// with.

import (
	"strings"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
)

// timeSample bounds and buckets the time column.
func (b *aggBuilder) timeSample(q Query) error {
	sample := strings.ToLower(strings.TrimSpace(q.TimeSample))
	from, to := strings.TrimSpace(q.TimeFrom), strings.TrimSpace(q.TimeTo)
	if sample == "" && from == "" && to == "" {
		return nil
	}
	name := strings.TrimSpace(q.TimeColumn)
	if name == "" {
		name = schema.ColCreatedAt
	}
	e, err := parseAggExpr(name)
	if err != nil || e.kind != exCol {
		return aggErr("timecolumn %q is not a column", name)
	}
	c, err := b.compile(e, false)
	if err != nil {
		return err
	}
	if c.kind != outTime && c.kind != outDate {
		return aggErr("timecolumn %q is not a date or time column", name)
	}
	for _, bound := range []struct{ v, op string }{{from, " >= ?"}, {to, " < ?"}} {
		if bound.v == "" {
			continue
		}
		arg, err := b.typed(c, bound.v)
		if err != nil {
			return err
		}
		b.w.add(c.sql+bound.op, arg)
	}
	if sample == "" {
		return nil
	}
	sqlText, ok := b.d.TimeTrunc(sample, c.sql)
	if !ok {
		return aggErr("timesample must be hour, day, week, month or year, not %q", sample)
	}
	expr := TimeSampleKey + "(" + sample + "," + c.key + ")"
	pos, err := b.add(aggProj{expr: expr, key: TimeSampleKey, c: aggSQL{sql: sqlText, kind: outTime, col: true}})
	if err != nil {
		return err
	}
	b.groupKeys[expr] = true
	b.groups = append(b.groups, pos)
	return nil
}

func (b *aggBuilder) filter(f aggCond) error {
	l, err := b.compile(f.left, false)
	if err != nil {
		return err
	}
	if l.agg {
		return aggErr("filter cannot use aggregates (use having): %s", l.key)
	}
	if l.pick != nil || !l.col {
		return aggErr("filter needs a column on its left side")
	}
	pred, args, err := b.cond(f, l, false)
	if err != nil {
		return err
	}
	b.w.add(pred, args...)
	return nil
}

// cond builds one comparison; values bind as arguments, typed for the
// left column when it is one.
func (b *aggBuilder) cond(c aggCond, l aggSQL, join bool) (string, []any, error) {
	args := append([]any{}, l.args...)
	switch c.op {
	case "is":
		v := c.right[0]
		if v.kind != valLit {
			return "", nil, aggErr("is takes null, true or false")
		}
		switch x := v.v.(type) {
		case nil:
			return l.sql + " IS NULL", args, nil
		case bool:
			if l.cv != nil {
				return l.sql + " = ?", append(args, sqlval.BoolArg(l.cv.Kind, x)), nil
			}
			return l.sql + " = ?", append(args, x), nil
		}
		return "", nil, aggErr("is takes null, true or false")
	case "in", "notin":
		var ph []string
		for _, v := range c.right {
			s, a, err := b.value(l, v)
			if err != nil {
				return "", nil, err
			}
			ph = append(ph, s)
			args = append(args, a...)
		}
		op := " IN ("
		if c.op == "notin" {
			op = " NOT IN ("
		}
		return l.sql + op + strings.Join(ph, ", ") + ")", args, nil
	}
	v := c.right[0]
	if v.kind == valLit && v.v == nil {
		switch c.op {
		case "eq":
			return l.sql + " IS NULL", args, nil
		case "not":
			return l.sql + " IS NOT NULL", args, nil
		}
		return "", nil, aggErr("%s cannot compare with null", c.op)
	}
	lsql := l.sql
	if join && v.kind == valCol {
		r, err := b.compile(v.col, false)
		if err != nil {
			return "", nil, err
		}
		lsql, r.sql = b.fkToID(l, r), b.fkToID(r, l)
		return lsql + " " + aggCmp[c.op] + " " + r.sql, append(args, r.args...), nil
	}
	s, a, err := b.value(l, v)
	if err != nil {
		return "", nil, err
	}
	return lsql + " " + aggCmp[c.op] + " " + s, append(args, a...), nil
}

// fkToID lets a join compare a foreign key with the reference_id of the
// table it points at: that side becomes the table's internal id.
func (b *aggBuilder) fkToID(x, other aggSQL) string {
	if x.kind == outRef && other.kind == outFK && x.at != nil && x.at.t.TableName == other.fk {
		return x.at.alias + "." + b.d.Quote(schema.ColID)
	}
	return x.sql
}

// value binds one right-hand value.
func (b *aggBuilder) value(l aggSQL, v aggVal) (string, []any, error) {
	switch v.kind {
	case valRef:
		t, ok := b.sc.Table(v.entity)
		if !ok {
			return "", nil, aggErr("no table %q in %s@...", v.entity, v.entity)
		}
		return "?", []any{sqlval.SubqueryArg{Table: t.TableName, Ref: v.ref}}, nil
	case valCol:
		return "", nil, aggErr("a column is only allowed on the right side of a join")
	}
	if v.v == nil {
		return "", nil, aggErr("null is only allowed in eq, not and is")
	}
	a, err := b.typed(l, v.v)
	if err != nil {
		return "", nil, err
	}
	return "?", []any{a}, nil
}

// typed converts a literal to the storage type of the left column (foreign
// keys and reference_id take UUIDs); other expressions take it as is.
func (b *aggBuilder) typed(l aggSQL, v any) (any, error) {
	if l.cv == nil {
		return v, nil
	}
	a, err := b.h.FilterArg(l.at.t, l.cv, v)
	if err != nil {
		return nil, err
	}
	return a, nil
}
