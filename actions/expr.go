package actions

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Daptin evaluates `!expr` and `{{expr}}` outcome values with a JavaScript
// engine. Apiary runs a small expression language instead: the JavaScript
// subset action schemas use (literals, context names with member access,
// ! - + * / %, comparisons, && || ?: and a few helper functions). It has no
// loops, assignments or user functions, so evaluation is linear in the
// expression's size, and the limits below bound that size.
const (
	maxExprLen   = 4 << 10 // bytes of source
	maxExprDepth = 64      // nested parentheses, unary operators and ternaries
	maxStringLen = 1 << 20 // bytes of any string the expression builds
)

// jsUndefined is JavaScript's undefined: what a missing member reads as.
type jsUndefined struct{}

// evalExpr evaluates a JavaScript-like expression with the scope's keys as
// global names. Errors are 400 action failures naming the expression.
func evalExpr(src string, scope map[string]any) (any, error) {
	if len(src) > maxExprLen {
		return nil, exprFail(src, "longer than %d bytes", maxExprLen)
	}
	toks, err := lexExpr(src)
	if err != nil {
		return nil, exprFail(src, "%v", err)
	}
	p := &exprParser{toks: toks}
	n, err := p.expr()
	if err == nil && p.peek().kind != tokEOF {
		err = fmt.Errorf("unexpected %q at %d", p.peek().text, p.peek().pos)
	}
	if err != nil {
		return nil, exprFail(src, "%v", err)
	}
	v, err := n.eval(scope)
	if err != nil {
		return nil, exprFail(src, "%v", err)
	}
	return v, nil
}

func exprFail(src, format string, a ...any) error {
	if len(src) > 80 {
		src = src[:80] + "…"
	}
	return Fail(http.StatusBadRequest, "invalid expression %q: %s", src, fmt.Sprintf(format, a...))
}

// Token kinds.
const (
	tokEOF = iota
	tokNum
	tokStr
	tokIdent
	tokPunct
)

type exprToken struct {
	kind int
	text string // punctuation, identifier or decoded string
	num  float64
	pos  int
}

// puncts lists operators longest first so the lexer matches greedily.
var exprPuncts = []string{"===", "!==", "==", "!=", "<=", ">=", "&&", "||",
	"(", ")", "[", "]", ".", ",", "?", ":", "!", "+", "-", "*", "/", "%", "<", ">"}

func lexExpr(src string) ([]exprToken, error) {
	var toks []exprToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case exprDigit(c) || (c == '.' && i+1 < len(src) && exprDigit(src[i+1])):
			j := i
			for j < len(src) && (exprDigit(src[j]) || src[j] == '.' || src[j] == 'e' || src[j] == 'E' ||
				((src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E'))) {
				j++
			}
			f, err := strconv.ParseFloat(src[i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q at %d", src[i:j], i)
			}
			toks = append(toks, exprToken{kind: tokNum, num: f, text: src[i:j], pos: i})
			i = j
		case c == '\'' || c == '"':
			s, n, err := lexExprString(src[i:])
			if err != nil {
				return nil, fmt.Errorf("%v at %d", err, i)
			}
			toks = append(toks, exprToken{kind: tokStr, text: s, pos: i})
			i += n
		case exprIdentStart(c):
			j := i + 1
			for j < len(src) && (exprIdentStart(src[j]) || exprDigit(src[j])) {
				j++
			}
			toks = append(toks, exprToken{kind: tokIdent, text: src[i:j], pos: i})
			i = j
		default:
			p := ""
			for _, cand := range exprPuncts {
				if strings.HasPrefix(src[i:], cand) {
					p = cand
					break
				}
			}
			if p == "" {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, fmt.Errorf("unsupported character %q at %d", r, i)
			}
			toks = append(toks, exprToken{kind: tokPunct, text: p, pos: i})
			i += len(p)
		}
	}
	return append(toks, exprToken{kind: tokEOF, text: "end of expression", pos: len(src)}), nil
}

// lexExprString decodes a quoted string at the start of s and returns it with
// the number of bytes it took.
func lexExprString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'u':
				if i+4 >= len(s) {
					return "", 0, fmt.Errorf("bad \\u escape")
				}
				n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
				if err != nil {
					return "", 0, fmt.Errorf("bad \\u escape")
				}
				b.WriteRune(rune(n))
				i += 4
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

func exprDigit(c byte) bool      { return c >= '0' && c <= '9' }
func exprIdentStart(c byte) bool { return c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

// exprNode is one element of the parsed expression.
type exprNode struct {
	op   string // lit, id, member, call, unary, binary, cond
	text string // operator, identifier or helper name
	val  any    // literal value
	kids []*exprNode
}

type exprParser struct {
	toks  []exprToken
	i     int
	depth int
}

func (p *exprParser) peek() exprToken { return p.toks[p.i] }

func (p *exprParser) next() exprToken {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *exprParser) accept(punct string) bool {
	if t := p.peek(); t.kind == tokPunct && t.text == punct {
		p.i++
		return true
	}
	return false
}

func (p *exprParser) expect(punct string) error {
	if !p.accept(punct) {
		return fmt.Errorf("expected %q at %d, found %q", punct, p.peek().pos, p.peek().text)
	}
	return nil
}

func (p *exprParser) enter() error {
	if p.depth++; p.depth > maxExprDepth {
		return fmt.Errorf("nested deeper than %d", maxExprDepth)
	}
	return nil
}

// expr parses a conditional expression: or ? expr : expr.
func (p *exprParser) expr() (*exprNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	c, err := p.binary(0)
	if err != nil || !p.accept("?") {
		return c, err
	}
	a, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	b, err := p.expr()
	if err != nil {
		return nil, err
	}
	return &exprNode{op: "cond", kids: []*exprNode{c, a, b}}, nil
}

// binLevels lists binary operators from the loosest to the tightest.
var exprBinLevels = [][]string{{"||"}, {"&&"}, {"==", "!=", "===", "!=="}, {"<", "<=", ">", ">="}, {"+", "-"}, {"*", "/", "%"}}

func (p *exprParser) binary(level int) (*exprNode, error) {
	if level == len(exprBinLevels) {
		return p.unary()
	}
	left, err := p.binary(level + 1)
	for err == nil {
		t := p.peek()
		if t.kind != tokPunct || !hasOperator(exprBinLevels[level], t.text) {
			return left, nil
		}
		p.next()
		var right *exprNode
		right, err = p.binary(level + 1)
		left = &exprNode{op: "binary", text: t.text, kids: []*exprNode{left, right}}
	}
	return nil, err
}

func hasOperator(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *exprParser) unary() (*exprNode, error) {
	t := p.peek()
	if t.kind != tokPunct || (t.text != "!" && t.text != "-" && t.text != "+") {
		return p.postfix()
	}
	p.next()
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	return &exprNode{op: "unary", text: t.text, kids: []*exprNode{x}}, nil
}

func (p *exprParser) postfix() (*exprNode, error) {
	n, err := p.primary()
	for err == nil {
		switch {
		case p.accept("."):
			t := p.next()
			if t.kind != tokIdent {
				return nil, fmt.Errorf("expected a name after '.' at %d", t.pos)
			}
			n = &exprNode{op: "member", kids: []*exprNode{n, {op: "lit", val: t.text}}}
		case p.accept("["):
			var key *exprNode
			if key, err = p.expr(); err == nil {
				err = p.expect("]")
			}
			n = &exprNode{op: "member", kids: []*exprNode{n, key}}
		case p.peek().kind == tokPunct && p.peek().text == "(":
			if n.op != "id" {
				return nil, fmt.Errorf("only helper functions can be called (at %d)", p.peek().pos)
			}
			p.next()
			call := &exprNode{op: "call", text: n.text}
			for err == nil && !p.accept(")") {
				if len(call.kids) > 0 {
					if err = p.expect(","); err != nil {
						break
					}
				}
				var arg *exprNode
				if arg, err = p.expr(); err == nil {
					call.kids = append(call.kids, arg)
				}
			}
			n = call
		default:
			return n, nil
		}
	}
	return nil, err
}

func (p *exprParser) primary() (*exprNode, error) {
	t := p.next()
	switch t.kind {
	case tokNum:
		return &exprNode{op: "lit", val: t.num}, nil
	case tokStr:
		return &exprNode{op: "lit", val: t.text}, nil
	case tokIdent:
		switch t.text {
		case "true", "false":
			return &exprNode{op: "lit", val: t.text == "true"}, nil
		case "null":
			return &exprNode{op: "lit", val: nil}, nil
		case "undefined":
			return &exprNode{op: "lit", val: jsUndefined{}}, nil
		}
		return &exprNode{op: "id", text: t.text}, nil
	case tokPunct:
		if t.text == "(" {
			n, err := p.expr()
			if err == nil {
				err = p.expect(")")
			}
			return n, err
		}
	}
	return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
}

func (n *exprNode) eval(scope map[string]any) (any, error) {
	switch n.op {
	case "lit":
		return n.val, nil
	case "id":
		v, ok := scope[n.text]
		if !ok {
			return nil, fmt.Errorf("%s is not defined", n.text)
		}
		return v, nil
	case "call":
		args := make([]any, len(n.kids))
		for i, k := range n.kids {
			v, err := k.eval(scope)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		return callExprHelper(n.text, args)
	case "cond":
		c, err := n.kids[0].eval(scope)
		if err != nil {
			return nil, err
		}
		if jsTruthy(c) {
			return n.kids[1].eval(scope)
		}
		return n.kids[2].eval(scope)
	case "unary":
		v, err := n.kids[0].eval(scope)
		if err != nil {
			return nil, err
		}
		switch n.text {
		case "!":
			return !jsTruthy(v), nil
		case "-":
			return -jsNumber(v), nil
		case "+":
			return jsNumber(v), nil
		}
		return nil, fmt.Errorf("unknown operator %q", n.text)
	}
	a, err := n.kids[0].eval(scope)
	if err != nil {
		return nil, err
	}
	if (n.text == "&&" && !jsTruthy(a)) || (n.text == "||" && jsTruthy(a)) {
		return a, nil
	}
	b, err := n.kids[1].eval(scope)
	if err != nil {
		return nil, err
	}
	if n.op == "member" {
		return jsMember(a, b)
	}
	return binaryOp(n.text, a, b)
}
