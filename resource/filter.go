package resource

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// ParseConditions decodes the query= JSON filter.
func ParseConditions(text string) ([]Condition, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var conds []Condition
	if err := json.Unmarshal([]byte(text), &conds); err != nil {
		return nil, badParam("query", "query must be a JSON array of {column, operator, value}: %v", err)
	}
	return conds, nil
}

// sqlOp describes how one query= operator becomes SQL.
type sqlOp struct {
	sql   string // comparison operator
	list  bool   // value is a list (IN)
	unary string // complete predicate needing no value, e.g. "IS NULL"
	fuzzy int    // 1 = any keyword, 2 = all keywords
	ci    bool   // case-insensitive LIKE
}

// operators lists every operator of contract core.md §5.5 and its aliases.
var operators = map[string]sqlOp{
	"is": {sql: "="}, "eq": {sql: "="}, "=": {sql: "="},
	"not": {sql: "<>"}, "neq": {sql: "<>"}, "!=": {sql: "<>"},
	"lt": {sql: "<"}, "before": {sql: "<"}, "less than": {sql: "<"}, "<": {sql: "<"},
	"lte": {sql: "<="}, "<=": {sql: "<="},
	"gt": {sql: ">"}, "after": {sql: ">"}, "more than": {sql: ">"}, ">": {sql: ">"},
	"gte": {sql: ">="}, ">=": {sql: ">="},
	"in": {sql: "IN", list: true}, "any of": {sql: "IN", list: true},
	"notin": {sql: "NOT IN", list: true}, "not in": {sql: "NOT IN", list: true}, "none of": {sql: "NOT IN", list: true},
	"like": {sql: "LIKE"}, "contains": {sql: "LIKE"}, "begins with": {sql: "LIKE"}, "ends with": {sql: "LIKE"},
	"not like": {sql: "NOT LIKE"}, "not contains": {sql: "NOT LIKE"},
	"ilike": {sql: "LIKE", ci: true}, "not ilike": {sql: "NOT LIKE", ci: true},
	"is true": {unary: "= TRUE"}, "is false": {unary: "= FALSE"},
	"not true": {unary: "<> TRUE"}, "not false": {unary: "<> FALSE"},
	"is empty": {unary: "IS NULL"}, "is null": {unary: "IS NULL"},
	"not empty": {unary: "IS NOT NULL"}, "is not empty": {unary: "IS NOT NULL"}, "is not null": {unary: "IS NOT NULL"},
	"fuzzy": {fuzzy: 1}, "fuzzy_any": {fuzzy: 1}, "fuzzy_all": {fuzzy: 2},
}

// where builds SQL predicates with ? placeholders. Column names come only
// from the schema; every value is a bound argument.
type where struct {
	d    db.Dialect
	v    *view
	s    *svc
	sql  []string
	args []any
}

func (w *where) add(sqlText string, args ...any) {
	w.sql = append(w.sql, sqlText)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.sql) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.sql, " AND ")
}

// colRef resolves a column name from the request to its quoted SQL name.
func (w *where) colRef(param, name string) (*colView, string, error) {
	cv, ok := w.v.col(strings.TrimSpace(name))
	if !ok || (!cv.api && cv.col.ColumnName != schema.ColID) {
		return nil, "", badParam(param, "table %q has no column %q", w.v.t.TableName, name)
	}
	if isBcryptKind(cv.secret) {
		// Comparing or ordering by a hash would reveal it bit by bit.
		return nil, "", badParam(param, "column %q is write-only and cannot be filtered or sorted on", name)
	}
	return cv, baseAlias + "." + w.d.Quote(cv.col.ColumnName), nil
}

// conditions adds the query= filter: ungrouped conditions are ANDed; those
// sharing a logical_group are ORed and the group ANDed with the rest.
func (w *where) conditions(conds []Condition) error {
	var order []string
	groups := map[string][]Condition{}
	for _, c := range conds {
		if c.LogicalGroup == "" {
			pred, args, err := w.condition(c)
			if err != nil {
				return err
			}
			w.add(pred, args...)
			continue
		}
		if _, ok := groups[c.LogicalGroup]; !ok {
			order = append(order, c.LogicalGroup)
		}
		groups[c.LogicalGroup] = append(groups[c.LogicalGroup], c)
	}
	for _, g := range order {
		var parts []string
		var args []any
		for _, c := range groups[g] {
			pred, a, err := w.condition(c)
			if err != nil {
				return err
			}
			parts = append(parts, pred)
			args = append(args, a...)
		}
		w.add("("+strings.Join(parts, " OR ")+")", args...)
	}
	return nil
}

func (w *where) condition(c Condition) (string, []any, error) {
	op, ok := operators[strings.ToLower(strings.TrimSpace(c.Operator))]
	if !ok {
		return "", nil, badParam("query", "unknown operator %q", c.Operator)
	}
	if op.fuzzy > 0 {
		return w.fuzzy(c, op.fuzzy == 2)
	}
	cv, ref, err := w.colRef("query", c.Column)
	if err != nil {
		return "", nil, err
	}
	if op.unary != "" {
		if strings.HasSuffix(op.unary, "TRUE") || strings.HasSuffix(op.unary, "FALSE") {
			val := strings.HasSuffix(op.unary, "TRUE")
			cmp := "="
			if strings.HasPrefix(op.unary, "<>") {
				cmp = "<>"
			}
			return ref + " " + cmp + " ?", []any{boolArg(cv.sk, val)}, nil
		}
		return ref + " " + op.unary, nil, nil
	}
	if op.list {
		vals, ok := c.Value.([]any)
		if !ok {
			if s, isStr := c.Value.(string); isStr {
				for _, p := range strings.Split(s, ",") {
					vals = append(vals, strings.TrimSpace(p))
				}
			} else {
				return "", nil, badParam("query", "operator %q needs a list value", c.Operator)
			}
		}
		if len(vals) == 0 {
			if op.sql == "IN" {
				return "1 = 0", nil, nil
			}
			return "1 = 1", nil, nil
		}
		args := make([]any, 0, len(vals))
		for _, v := range vals {
			a, err := w.filterArg(cv, v)
			if err != nil {
				return "", nil, err
			}
			args = append(args, a)
		}
		return ref + " " + op.sql + " (" + placeholders(len(args)) + ")", args, nil
	}
	if c.Value == nil {
		if op.sql == "=" {
			return ref + " IS NULL", nil, nil
		}
		if op.sql == "<>" {
			return ref + " IS NOT NULL", nil, nil
		}
	}
	if strings.Contains(op.sql, "LIKE") {
		s := fmt.Sprint(c.Value)
		if op.ci || w.d.LikeCaseSensitive() {
			return "LOWER(CAST(" + ref + " AS " + w.d.TextType() + ")) " + op.sql + " LOWER(?)", []any{s}, nil
		}
		return ref + " " + op.sql + " ?", []any{s}, nil
	}
	a, err := w.filterArg(cv, c.Value)
	if err != nil {
		return "", nil, err
	}
	return ref + " " + op.sql + " ?", []any{a}, nil
}

// fuzzy matches keywords case-insensitively over one or more columns.
func (w *where) fuzzy(c Condition, all bool) (string, []any, error) {
	var refs []string
	for _, name := range strings.Split(c.Column, ",") {
		_, ref, err := w.colRef("query", name)
		if err != nil {
			return "", nil, err
		}
		refs = append(refs, ref)
	}
	words := strings.Fields(fmt.Sprint(c.Value))
	if len(words) == 0 {
		return "1 = 1", nil, nil
	}
	var preds []string
	var args []any
	for _, word := range words {
		var any []string
		for _, ref := range refs {
			any = append(any, "LOWER(CAST("+ref+" AS "+w.d.TextType()+")) LIKE ?")
			args = append(args, "%"+strings.ToLower(word)+"%")
		}
		preds = append(preds, "("+strings.Join(any, " OR ")+")")
	}
	join := " OR "
	if all {
		join = " AND "
	}
	return "(" + strings.Join(preds, join) + ")", args, nil
}

// filterArg converts a filter value to the column's storage type; foreign
// keys and reference_id take public ids.
func (w *where) filterArg(cv *colView, v any) (any, error) {
	name := cv.col.ColumnName
	if name == schema.ColReferenceID {
		b, ok := refBytes(fmt.Sprint(v))
		if !ok {
			return nil, badParam("query", "%s takes a UUID", name)
		}
		return b, nil
	}
	if cv.fk >= 0 {
		ref := fmt.Sprint(v)
		b, ok := refBytes(ref)
		if !ok {
			return nil, badParam("query", "%s takes a UUID", name)
		}
		fk := w.v.fks[cv.fk]
		return sqlval.SubqueryArg{Table: fk.target, Ref: b}, nil
	}
	norm, err := schema.NormalizeValue(cv.col, v)
	if err != nil {
		if cv.sk == skString {
			norm = fmt.Sprint(v)
		} else {
			return nil, badParam("query", "value %v does not fit column %s: %v", v, name, err)
		}
	}
	out, err := toDB(cv.sk, norm)
	if err != nil {
		return nil, badParam("query", "value %v does not fit column %s: %v", v, name, err)
	}
	return out, nil
}

// finish expands subquery arguments into SQL and returns the final text.
func finish(d db.Dialect, sqlText string, args []any) (string, []any) {
	return sqlval.Finish(d, sqlText, args)
}

// ConditionsFrom reads a query= filter given either as JSON text or as an
// already decoded list (action outcomes, GraphQL arguments).
func ConditionsFrom(v any) ([]Condition, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return ParseConditions(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, badParam("query", "query is not JSON: %v", err)
		}
		return ParseConditions(string(b))
	}
}
