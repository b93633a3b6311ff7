package aggregate

// The syntax of aggregate queries (contract core.md §8), with no schema:
// parsing yields a tree whose identifiers are checked to be plain words and
// whose literals are Go values. build.go and funcs.go resolve identifiers
// against the schema; nothing from the request ever reaches SQL text
// unchecked.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Parser limits: they bound the work one request can ask for.
const (
	maxAggItems = 64 // expressions per part (column, group, filter, ...)
	maxAggDepth = 8  // nesting of function calls
	maxAggText  = 4096
)

type aggExprKind int

const (
	exCol  aggExprKind = iota // column, optionally table-qualified
	exCall                    // function call
	exLit                     // string or number literal
	exStar                    // * (only in count(*))
)

// aggExpr is one parsed expression.
type aggExpr struct {
	kind  aggExprKind
	table string     // exCol: qualifier ("" = the queried table)
	name  string     // exCol: column; exCall: lower-case function name
	args  []*aggExpr // exCall
	val   any        // exLit: string, int64 or float64
}

// aggItem is one column or group entry.
type aggItem struct {
	e     *aggExpr
	alias string
}

type aggValKind int

const (
	valLit aggValKind = iota // v is nil, bool, int64, float64 or string
	valRef                   // entity@uuid: that row's internal id
	valCol                   // a column (join conditions only)
)

// aggVal is the right side of a filter, having or join condition.
type aggVal struct {
	kind   aggValKind
	v      any
	entity string
	ref    []byte
	col    *aggExpr
}

// aggCond is op(left,right...).
type aggCond struct {
	op    string
	left  *aggExpr
	right []aggVal
}

// aggJoin is table@cond&cond....
type aggJoin struct {
	table string
	conds []aggCond
}

// aggOrder is expr or -expr; name is set when expr is a bare word (it may
// be a projection alias).
type aggOrder struct {
	name string
	e    *aggExpr
	desc bool
}

// aggParsed is a whole parsed query.
type aggParsed struct {
	columns, groups []aggItem
	filters, having []aggCond
	joins           []aggJoin
	orders          []aggOrder
}

// aggFnSpec is the arity of a function; agg marks aggregates.
type aggFnSpec struct {
	min, max int
	agg      bool
}

// aggFuncs lists every function the grammar knows.
var aggFuncs = map[string]aggFnSpec{
	"count": {1, 1, true}, "sum": {1, 1, true}, "avg": {1, 1, true}, "min": {1, 1, true},
	"max": {1, 1, true}, "first": {1, 1, true}, "last": {1, 1, true},
	"date": {1, 1, false}, "time": {1, 1, false}, "datetime": {1, 1, false}, "strftime": {2, 2, false},
	"julianday": {1, 1, false}, "month": {1, 1, false}, "year": {1, 1, false}, "day": {1, 1, false},
	"upper": {1, 1, false}, "lower": {1, 1, false}, "length": {1, 1, false}, "substr": {2, 3, false},
	"trim": {1, 2, false}, "ltrim": {1, 2, false}, "rtrim": {1, 2, false}, "replace": {3, 3, false},
	"hex": {1, 1, false}, "abs": {1, 1, false}, "round": {1, 2, false},
	"coalesce": {2, 8, false}, "ifnull": {2, 2, false}, "nullif": {2, 2, false},
}

// Operators per part.
var (
	aggFilterOps = map[string]bool{"eq": true, "not": true, "lt": true, "lte": true, "gt": true, "gte": true, "in": true, "notin": true, "is": true}
	aggJoinOps   = map[string]bool{"eq": true, "not": true, "lt": true, "lte": true, "gt": true, "gte": true}
)

var (
	identRE = newLazyRE(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	intRE   = newLazyRE(`^[+-]?[0-9]{1,18}$`)
	floatRE = newLazyRE(`^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$`)
)

// aggErr is the 400 every malformed aggregate query gets.
func aggErr(format string, a ...any) error {
	return &Error{Detail: fmt.Sprintf(format, a...)}
}

// parseAggregate parses every part of q. Each value may hold a comma list;
// commas inside parentheses or quotes belong to the enclosing expression.
func parseAggregate(q Query) (*aggParsed, error) {
	p := &aggParsed{}
	var err error
	if p.columns, err = parseAggItems("column", q.Columns); err != nil {
		return nil, err
	}
	if p.groups, err = parseAggItems("group", q.Groups); err != nil {
		return nil, err
	}
	if p.filters, err = parseAggConds("filter", q.Filters, aggFilterOps, false); err != nil {
		return nil, err
	}
	if p.having, err = parseAggConds("having", q.Having, aggFilterOps, false); err != nil {
		return nil, err
	}
	joins, err := splitAggValues("join", q.Joins)
	if err != nil {
		return nil, err
	}
	for _, j := range joins {
		pj, err := parseAggJoin(j)
		if err != nil {
			return nil, err
		}
		p.joins = append(p.joins, pj)
	}
	orders, err := splitAggValues("order", q.Orders)
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		po := aggOrder{}
		if strings.HasPrefix(o, "-") {
			po.desc, o = true, strings.TrimSpace(o[1:])
		} else if strings.HasPrefix(o, "+") {
			o = strings.TrimSpace(o[1:])
		}
		if identRE.MatchString(o) {
			po.name = o
		}
		if po.e, err = parseAggExpr(o); err != nil {
			return nil, aggErr("order %q: %v", o, err)
		}
		p.orders = append(p.orders, po)
	}
	return p, nil
}

// splitAggValues splits every value at top-level commas, dropping blanks.
func splitAggValues(part string, values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		if len(v) > maxAggText {
			return nil, aggErr("%s is longer than %d characters", part, maxAggText)
		}
		items, err := splitTop(v, ',')
		if err != nil {
			return nil, aggErr("%s %q: %v", part, v, err)
		}
		for _, it := range items {
			if it = strings.TrimSpace(it); it != "" {
				out = append(out, it)
			}
		}
	}
	if len(out) > maxAggItems {
		return nil, aggErr("too many %s entries (at most %d)", part, maxAggItems)
	}
	return out, nil
}

// splitTop splits s at sep where it is outside parentheses and single
// quotes (” inside quotes is a quote).
func splitTop(s string, sep byte) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			end := closingQuote(s, i)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote")
			}
			i = end
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("unbalanced parentheses")
			}
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parentheses")
	}
	return append(out, s[start:]), nil
}

// closingQuote returns the index of the quote closing the one at open, or -1.
func closingQuote(s string, open int) int {
	for i := open + 1; i < len(s); i++ {
		if s[i] != '\'' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			i++
			continue
		}
		return i
	}
	return -1
}

func parseAggItems(part string, values []string) ([]aggItem, error) {
	items, err := splitAggValues(part, values)
	if err != nil {
		return nil, err
	}
	out := make([]aggItem, 0, len(items))
	for _, it := range items {
		lx := &aggLexer{src: it}
		e, err := lx.expr(0)
		if err == nil {
			err = lx.alias(&out, e)
		}
		if err != nil {
			return nil, aggErr("%s %q: %v", part, it, err)
		}
	}
	return out, nil
}

// parseAggConds parses op(left,right...) entries.
func parseAggConds(part string, values []string, ops map[string]bool, join bool) ([]aggCond, error) {
	items, err := splitAggValues(part, values)
	if err != nil {
		return nil, err
	}
	out := make([]aggCond, 0, len(items))
	for _, it := range items {
		c, err := parseAggCond(it, ops, join)
		if err != nil {
			return nil, aggErr("%s %q: %v", part, it, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseAggCond(s string, ops map[string]bool, join bool) (aggCond, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return aggCond{}, fmt.Errorf("want op(left,right)")
	}
	op := strings.ToLower(strings.TrimSpace(s[:open]))
	if !ops[op] {
		return aggCond{}, fmt.Errorf("unknown operator %q", op)
	}
	parts, err := splitTop(s[open+1:len(s)-1], ',')
	if err != nil {
		return aggCond{}, err
	}
	if len(parts) < 2 {
		return aggCond{}, fmt.Errorf("%s needs a left and a right side", op)
	}
	if len(parts) > 2 && op != "in" && op != "notin" {
		return aggCond{}, fmt.Errorf("%s takes one right side", op)
	}
	if len(parts) > 1+maxAggItems {
		return aggCond{}, fmt.Errorf("too many values")
	}
	c := aggCond{op: op}
	if c.left, err = parseAggExpr(parts[0]); err != nil {
		return aggCond{}, err
	}
	for _, r := range parts[1:] {
		v, err := parseAggVal(r, join)
		if err != nil {
			return aggCond{}, err
		}
		c.right = append(c.right, v)
	}
	return c, nil
}

// parseAggVal types a right side: 'quoted' string, null, true, false,
// integer, float, entity@uuid; in joins a bare word is a column, elsewhere
// any other text is a string.
func parseAggVal(raw string, join bool) (aggVal, error) {
	s := strings.TrimSpace(raw)
	switch low := strings.ToLower(s); {
	case len(s) >= 2 && s[0] == '\'' && closingQuote(s, 0) == len(s)-1:
		return aggVal{v: strings.ReplaceAll(s[1:len(s)-1], "''", "'")}, nil
	case low == "null":
		return aggVal{}, nil
	case low == "true", low == "false":
		return aggVal{v: low == "true"}, nil
	case intRE.MatchString(s):
		n, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return aggVal{v: n}, nil
		}
	}
	if floatRE.MatchString(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return aggVal{v: f}, nil
		}
	}
	if at := strings.IndexByte(s, '@'); at > 0 && identRE.MatchString(s[:at]) {
		if u, err := uuid.Parse(s[at+1:]); err == nil && len(s[at+1:]) == 36 {
			return aggVal{kind: valRef, entity: s[:at], ref: u[:]}, nil
		}
	}
	if join {
		e, err := parseAggExpr(s)
		if err != nil || e.kind != exCol {
			return aggVal{}, fmt.Errorf("join right side %q must be a column, a quoted literal or entity@uuid", s)
		}
		return aggVal{kind: valCol, col: e}, nil
	}
	return aggVal{v: s}, nil
}

// parseAggJoin parses table@op(l,r)[&op(l,r)...].
func parseAggJoin(s string) (aggJoin, error) {
	at := strings.IndexByte(s, '@')
	if at < 0 {
		return aggJoin{}, aggErr("join %q: want table@op(left,right)", s)
	}
	j := aggJoin{table: strings.TrimSpace(s[:at])}
	if !identRE.MatchString(j.table) {
		return aggJoin{}, aggErr("join %q: %q is not a table name", s, j.table)
	}
	parts, err := splitTop(s[at+1:], '&')
	if err != nil {
		return aggJoin{}, aggErr("join %q: %v", s, err)
	}
	if j.conds, err = parseAggConds("join", parts, aggJoinOps, true); err != nil {
		return aggJoin{}, err
	}
	if len(j.conds) == 0 {
		return aggJoin{}, aggErr("join %q: no condition", s)
	}
	return j, nil
}

// parseAggExpr parses one whole expression (no alias).
func parseAggExpr(s string) (*aggExpr, error) {
	lx := &aggLexer{src: s}
	e, err := lx.expr(0)
	if err != nil {
		return nil, err
	}
	if tok := lx.next(); tok != "" {
		return nil, fmt.Errorf("unexpected %q", tok)
	}
	return e, nil
}
