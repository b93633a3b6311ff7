package aggregate

// Compiling parsed aggregate expressions to SQL: columns resolve through
// the schema views, functions map to each dialect's spelling, literals
// become bound arguments.
//
// first(x) and last(x) are portable: the query selects MIN(t.id) or
// MAX(t.id) of the group (the earliest and latest row written) and a second
// query reads x from those rows, so x must use the queried table's columns.

import (
	"strings"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
)

// outKind says how a result value is turned into its API form.
type outKind int

const (
	outRaw    outKind = iota // bytes as text, everything else as returned
	outInt                   // whole number
	outFloat                 // number
	outBool                  // truefalse: 0 or 1
	outTime                  // time.Time, encoded as RFC 3339
	outDate                  // "2006-01-02"
	outString                // text
	outRef                   // reference_id bytes: the UUID string
	outFK                    // internal id of a row of fk: that row's UUID string
)

// aggSQL is a compiled expression.
type aggSQL struct {
	sql    string
	args   []any
	kind   outKind
	fk     string // outFK: the table the id belongs to
	key    string // aggKey of the expression
	agg    bool   // contains an aggregate function
	col    bool   // uses at least one column
	joined bool   // uses a column of a joined table
	at     *aggTable
	cv     *Column // set when the expression is exactly one column
	pick   *aggSQL // first/last: the value, read after the query by row id
}

func isNumeric(k outKind) bool  { return k == outInt || k == outFloat || k == outBool }
func isTimeKind(k outKind) bool { return k == outTime || k == outDate }

// isBareCount reports the word count, which means COUNT(*).
func isBareCount(e *aggExpr) bool {
	return e.kind == exCol && e.table == "" && strings.EqualFold(e.name, "count")
}

// compile turns e into SQL; inAgg is set inside an aggregate's argument.
func (b *aggBuilder) compile(e *aggExpr, inAgg bool) (aggSQL, error) {
	c, err := b.compileExpr(e, inAgg)
	c.key = aggKey(e, b.base.t.TableName)
	return c, err
}

func (b *aggBuilder) compileExpr(e *aggExpr, inAgg bool) (aggSQL, error) {
	switch e.kind {
	case exStar:
		return aggSQL{}, aggErr("* is only allowed in count(*)")
	case exLit:
		c := aggSQL{sql: "?", args: []any{e.val}, kind: outString}
		switch e.val.(type) {
		case int64:
			c.kind = outInt
		case float64:
			c.kind = outFloat
		}
		return c, nil
	case exCall:
		if aggFuncs[e.name].agg {
			if inAgg {
				return aggSQL{}, aggErr("aggregate functions cannot be nested: %s", aggKey(e, b.base.t.TableName))
			}
			return b.aggregate(e)
		}
		args := make([]aggSQL, len(e.args))
		for i, a := range e.args {
			c, err := b.compile(a, inAgg)
			if err != nil {
				return aggSQL{}, err
			}
			args[i] = c
		}
		return b.scalar(e.name, args)
	}
	if isBareCount(e) {
		if inAgg {
			return aggSQL{}, aggErr("aggregate functions cannot be nested")
		}
		return aggSQL{sql: "COUNT(*)", kind: outInt, agg: true}, nil
	}
	at, cv, err := b.column(e)
	if err != nil {
		return aggSQL{}, err
	}
	c := aggSQL{sql: at.alias + "." + b.d.Quote(cv.Col.ColumnName), col: true, joined: at != b.base, at: at, cv: cv}
	switch {
	case cv.Col.ColumnName == schema.ColReferenceID:
		c.kind = outRef
	case cv.FK != "":
		c.kind, c.fk = outFK, cv.FK
	default:
		c.kind = [...]outKind{sqlval.String: outString, sqlval.Int: outInt, sqlval.Float: outFloat, sqlval.Bool: outBool, sqlval.Time: outTime, sqlval.Bytes: outRaw}[cv.Kind]
	}
	return c, nil
}

// column resolves col or table.col against the queried and joined tables.
func (b *aggBuilder) column(e *aggExpr) (*aggTable, *Column, error) {
	at := b.base
	if e.table != "" && e.table != b.base.t.TableName {
		if at = b.tables[e.table]; at == nil {
			return nil, nil, aggErr("table %q is not joined (add join=%s@eq(...))", e.table, e.table)
		}
	}
	cv, ok := b.h.Column(at.t, e.name)
	if !ok || (!cv.API && cv.Col.ColumnName != schema.ColID) {
		return nil, nil, aggErr("table %q has no column %q", at.t.TableName, e.name)
	}
	if cv.Secret != schema.SecretNone {
		return nil, nil, aggErr("column %q holds secrets and cannot be aggregated", e.name)
	}
	return at, cv, nil
}

// boolNum turns a truefalse expression into 0/1 so every database can sum,
// average and compare it.
func boolNum(x aggSQL) string {
	if x.kind != outBool {
		return x.sql
	}
	return "CASE WHEN " + x.sql + " IS NULL THEN NULL WHEN " + x.sql + " THEN 1 ELSE 0 END"
}

func (b *aggBuilder) aggregate(e *aggExpr) (aggSQL, error) {
	name, a := e.name, e.args[0]
	if name == "count" && a.kind == exStar {
		return aggSQL{sql: "COUNT(*)", kind: outInt, agg: true}, nil
	}
	x, err := b.compile(a, true)
	if err != nil {
		return aggSQL{}, err
	}
	if !x.col {
		return aggSQL{}, aggErr("%s needs a column", name)
	}
	out := aggSQL{args: x.args, agg: true, col: true, joined: x.joined}
	upper := strings.ToUpper(name)
	switch name {
	case "count":
		out.sql, out.kind = "COUNT("+x.sql+")", outInt
	case "sum", "avg":
		if !isNumeric(x.kind) {
			return aggSQL{}, aggErr("%s needs a numeric column, %s is not", name, x.key)
		}
		out.sql, out.kind = upper+"("+boolNum(x)+")", outFloat
		if name == "sum" && x.kind != outFloat {
			out.kind = outInt
		}
	case "min", "max":
		out.sql, out.kind, out.fk = upper+"("+boolNum(x)+")", x.kind, x.fk
		if x.kind == outBool {
			out.kind = outInt
		}
	default: // first, last
		if x.joined {
			return aggSQL{}, aggErr("%s can only use columns of %s", name, b.base.t.TableName)
		}
		fn := "MIN("
		if name == "last" {
			fn = "MAX("
		}
		out.sql, out.args, out.kind, out.pick = fn+baseAlias+"."+b.d.Quote(schema.ColID)+")", nil, outInt, &x
	}
	return out, nil
}

// scalar maps a scalar function to the dialect; functions a dialect cannot
// express are refused with a 400 naming the database.
func (b *aggBuilder) scalar(name string, a []aggSQL) (aggSQL, error) {
	out := aggSQL{}
	for _, x := range a {
		out.agg, out.col, out.joined = out.agg || x.agg, out.col || x.col, out.joined || x.joined
	}
	if !out.col && !out.agg {
		return aggSQL{}, aggErr("%s needs a column argument", name)
	}
	call := func(fn string, xs ...aggSQL) string {
		parts := make([]string, len(xs))
		for i, x := range xs {
			parts[i] = x.sql
			out.args = append(out.args, x.args...)
		}
		return fn + "(" + strings.Join(parts, ", ") + ")"
	}
	x := a[0]
	switch name {
	case "date", "time", "datetime", "julianday", "month", "year", "day":
		if !isTimeKind(x.kind) {
			return aggSQL{}, aggErr("%s needs a date or time column, %s is not", name, x.key)
		}
		out.args = x.args
		out.sql, _ = b.d.TimePart(name, x.sql)
		out.kind = timePartKind[name]
	case "strftime":
		return b.strftime(a, out)
	case "upper", "lower", "length", "trim", "ltrim", "rtrim", "replace", "substr":
		sqlText, kind, err := b.textFn(name, a, call)
		if err != nil {
			return aggSQL{}, err
		}
		out.sql, out.kind = sqlText, kind
	case "hex":
		out.kind = outString
		bytes := x.kind == outRaw || x.kind == outRef
		if !bytes {
			x.sql = b.asText(x)
		}
		out.sql, out.args = b.d.Hex(x.sql, bytes), x.args
	case "abs", "round":
		if !isNumeric(x.kind) || x.kind == outBool {
			return aggSQL{}, aggErr("%s needs a numeric argument, %s is not", name, x.key)
		}
		if name == "abs" {
			out.sql, out.kind = call("ABS", x), x.kind
			break
		}
		if len(a) == 2 && a[1].kind != outInt {
			return aggSQL{}, aggErr("round takes a whole number of digits")
		}
		x.sql = b.d.RoundOperand(x.sql)
		out.sql, out.kind = call("ROUND", append([]aggSQL{x}, a[1:]...)...), outFloat
	default: // coalesce, ifnull, nullif
		fn, _ := b.d.FuncName(name, len(a))
		out.sql, out.kind, out.fk = call(fn, a...), x.kind, x.fk
	}
	return out, nil
}

// asText casts a non-text expression to text (SQL only; args unchanged).
func (b *aggBuilder) asText(x aggSQL) string {
	if x.kind == outString {
		return x.sql
	}
	return "CAST(" + x.sql + " AS " + b.d.TextType() + ")"
}

// textFn maps the text functions; call appends the arguments' values.
func (b *aggBuilder) textFn(name string, a []aggSQL, call func(string, ...aggSQL) string) (string, outKind, error) {
	x := a[0]
	x.sql = b.asText(x)
	fn, ok := b.d.FuncName(name, len(a))
	switch name {
	case "length":
		return call(fn, x), outInt, nil
	case "substr":
		for _, n := range a[1:] {
			if n.kind != outInt {
				return "", 0, aggErr("substr takes whole-number positions")
			}
		}
	case "trim", "ltrim", "rtrim":
		if !ok {
			return "", 0, aggErr("%s with a character list is not available on %s", name, b.d.Name())
		}
	}
	return call(fn, append([]aggSQL{x}, a[1:]...)...), outString, nil
}

// timePartKind is the result kind of each date/time function.
var timePartKind = map[string]outKind{
	"date": outDate, "time": outString, "datetime": outTime, "julianday": outFloat,
	"month": outInt, "year": outInt, "day": outInt,
}

// strftime(format, time): the format is a bound argument, translated for
// PostgreSQL and MySQL (codes %Y %m %d %H %M %S %j %%).
func (b *aggBuilder) strftime(a []aggSQL, out aggSQL) (aggSQL, error) {
	format, ok := a[0].args, a[0].sql == "?" && a[0].kind == outString
	if !ok || len(format) != 1 {
		return aggSQL{}, aggErr("strftime takes a quoted format first, e.g. strftime('%%Y-%%m', created_at)")
	}
	x := a[1]
	if !isTimeKind(x.kind) {
		return aggSQL{}, aggErr("strftime needs a date or time column, %s is not", x.key)
	}
	sqlText, arg, first, err := b.d.FormatTime(x.sql, format[0].(string))
	if err != nil {
		return aggSQL{}, aggErr("%s", err.Error())
	}
	out.kind, out.sql = outString, sqlText
	if first {
		out.args = append([]any{arg}, x.args...)
	} else {
		out.args = append(append([]any{}, x.args...), arg)
	}
	return out, nil
}
