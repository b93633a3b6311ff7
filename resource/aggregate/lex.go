package aggregate

// The expression lexer and parser of aggregate queries, and the canonical
// text of a parsed expression.

import (
	"fmt"
	"strconv"
	"strings"
)

// aggLexer reads tokens: words, numbers, 'strings', and ( ) , . *.
type aggLexer struct {
	src    string
	pos    int
	peeked string
	has    bool
}

func (lx *aggLexer) next() string {
	if lx.has {
		lx.has = false
		return lx.peeked
	}
	for lx.pos < len(lx.src) && (lx.src[lx.pos] == ' ' || lx.src[lx.pos] == '\t' || lx.src[lx.pos] == '\n' || lx.src[lx.pos] == '\r') {
		lx.pos++
	}
	if lx.pos >= len(lx.src) {
		return ""
	}
	start := lx.pos
	c := lx.src[start]
	switch {
	case c == '\'':
		end := closingQuote(lx.src, start)
		if end < 0 {
			lx.pos = len(lx.src)
			return "'"
		}
		lx.pos = end + 1
	case isWordByte(c) || c == '-' || c == '+':
		lx.pos++
		for lx.pos < len(lx.src) && (isWordByte(lx.src[lx.pos]) || (lx.src[lx.pos] == '.' && isNumText(lx.src[start:lx.pos]))) {
			lx.pos++
		}
	default:
		lx.pos++
	}
	return lx.src[start:lx.pos]
}

func (lx *aggLexer) peek() string {
	if !lx.has {
		lx.peeked, lx.has = lx.next(), true
	}
	return lx.peeked
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isNumText(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// expr parses a column, table.column, fn(args), * or a literal.
func (lx *aggLexer) expr(depth int) (*aggExpr, error) {
	if depth > maxAggDepth {
		return nil, fmt.Errorf("expression nested too deeply")
	}
	tok := lx.next()
	switch {
	case tok == "":
		return nil, fmt.Errorf("missing expression")
	case tok == "*":
		return &aggExpr{kind: exStar}, nil
	case tok[0] == '\'':
		if len(tok) < 2 || tok[len(tok)-1] != '\'' {
			return nil, fmt.Errorf("unterminated quote")
		}
		return &aggExpr{kind: exLit, val: strings.ReplaceAll(tok[1:len(tok)-1], "''", "'")}, nil
	case intRE.MatchString(tok):
		if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
			return &aggExpr{kind: exLit, val: n}, nil
		}
	}
	if floatRE.MatchString(tok) && strings.ContainsAny(tok, "0123456789") {
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", tok)
		}
		return &aggExpr{kind: exLit, val: f}, nil
	}
	if !identRE.MatchString(tok) {
		return nil, fmt.Errorf("unexpected %q", tok)
	}
	switch lx.peek() {
	case "(":
		lx.next()
		return lx.call(strings.ToLower(tok), depth)
	case ".":
		lx.next()
		col := lx.next()
		if !identRE.MatchString(col) {
			return nil, fmt.Errorf("%q is not a column name", col)
		}
		return &aggExpr{kind: exCol, table: tok, name: col}, nil
	}
	return &aggExpr{kind: exCol, name: tok}, nil
}

func (lx *aggLexer) call(name string, depth int) (*aggExpr, error) {
	spec, ok := aggFuncs[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %q", name)
	}
	e := &aggExpr{kind: exCall, name: name}
	if lx.peek() != ")" {
		for {
			a, err := lx.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			if a.kind == exStar && name != "count" {
				return nil, fmt.Errorf("* is only allowed in count(*)")
			}
			e.args = append(e.args, a)
			if lx.peek() != "," {
				break
			}
			lx.next()
		}
	}
	if tok := lx.next(); tok != ")" {
		return nil, fmt.Errorf("want ) after the arguments of %s, got %q", name, tok)
	}
	if len(e.args) < spec.min || len(e.args) > spec.max {
		return nil, fmt.Errorf("%s takes %s", name, arity(spec))
	}
	return e, nil
}

func arity(s aggFnSpec) string {
	if s.min == s.max {
		return strconv.Itoa(s.min) + " argument(s)"
	}
	return strconv.Itoa(s.min) + " to " + strconv.Itoa(s.max) + " arguments"
}

// alias reads an optional "as name" and appends the item.
func (lx *aggLexer) alias(out *[]aggItem, e *aggExpr) error {
	it := aggItem{e: e}
	switch tok := lx.next(); {
	case tok == "":
	case strings.EqualFold(tok, "as"):
		it.alias = lx.next()
		if !identRE.MatchString(it.alias) || strings.HasPrefix(it.alias, "__") {
			return fmt.Errorf("alias %q must be a name (letters, digits, _)", it.alias)
		}
		if tok := lx.next(); tok != "" {
			return fmt.Errorf("unexpected %q after the alias", tok)
		}
	default:
		return fmt.Errorf("unexpected %q", tok)
	}
	*out = append(*out, it)
	return nil
}

// aggKey renders e as the readable, stable text that keys unaliased
// expressions in the response: lower-case function names, no spaces,
// columns of the queried table unqualified, strings in single quotes
// (e.g. sum(priority), date(created_at), project.name, replace(title,'a','b')).
func aggKey(e *aggExpr, base string) string {
	switch e.kind {
	case exStar:
		return "*"
	case exLit:
		if s, ok := e.val.(string); ok {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
		return fmt.Sprint(e.val)
	case exCall:
		if e.name == "count" && len(e.args) == 1 && e.args[0].kind == exStar {
			return "count"
		}
		parts := make([]string, len(e.args))
		for i, a := range e.args {
			parts[i] = aggKey(a, base)
		}
		return e.name + "(" + strings.Join(parts, ",") + ")"
	}
	if isBareCount(e) {
		return "count"
	}
	if e.table == "" || e.table == base {
		return e.name
	}
	return e.table + "." + e.name
}
