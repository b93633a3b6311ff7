package actions

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
)

func exprScope() map[string]any {
	return map[string]any{
		"note":    "hi",
		"count":   int64(3),
		"price":   json.Number("2.5"),
		"flag":    false,
		"empty":   "",
		"nothing": nil,
		"current": map[string]any{"title": "Buy milk", "done": int64(0), "tags": []any{"a", "b"}},
		"rows":    []any{map[string]any{"title": "first"}, map[string]any{"title": "second"}},
		"list":    []map[string]any{{"n": 1.0}},
		"user":    map[string]any{"id": "u-1", "email": "ann@example.test"},
	}
}

func TestEvalExpr(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, src string
		want      any
	}{
		{"number", "42", 42.0},
		{"fraction", ".5 + 1e1", 10.5},
		{"single quoted", `'it\'s'`, "it's"},
		{"double quoted", `"a\tb\u0041"`, "a\tbA"},
		{"literals", "true && !false && null == null", true},
		{"precedence mul over add", "1 + 2 * 3", 7.0},
		{"parentheses", "(1 + 2) * 3", 9.0},
		{"left associative", "10 - 4 - 3", 3.0},
		{"modulo", "7 % 4", 3.0},
		{"division", "1 / 4", 0.25},
		{"unary minus", "-count + 1", -2.0},
		{"unary plus on string", "+'5' + 1", 6.0},
		{"string concat", "note + ' there'", "hi there"},
		{"number then string", "1 + 2 + 'x'", "3x"},
		{"string then number", "'x' + 1 + 2", "x12"},
		{"json number", "price * 2", 5.0},
		{"not", "!flag", true},
		{"double not of empty", "!!empty", false},
		{"not of object", "!current", false},
		{"and returns operand", "note && count", int64(3)},
		{"and short circuits", "flag && missing.x", false},
		{"or returns operand", "empty || 'fallback'", "fallback"},
		{"or short circuits", "note || missing", "hi"},
		{"ternary", "count > 2 ? 'many' : 'few'", "many"},
		{"nested ternary", "count > 5 ? 'a' : count > 2 ? 'b' : 'c'", "b"},
		{"ternary skips other branch", "true ? 1 : missing", 1.0},
		{"loose string number", "'1' == 1", true},
		{"loose int64", "current.done == 0", true},
		{"loose bool number", "true == 1", true},
		{"loose null undefined", "null == undefined", true},
		{"loose null zero", "null == 0", false},
		{"strict string number", "'1' === 1", false},
		{"strict int float", "count === 3", true},
		{"strict not equal", "'a' !== 'a'", false},
		{"not equal", "current.done != 1", true},
		{"string compare", "'abc' < 'abd'", true},
		{"numeric string compare", "'10' > 9", true},
		{"NaN compare", "'x' < 1", false},
		{"less or equal", "3 <= count", true},
		{"greater or equal", "2 >= count", false},
		{"member", "current.title", "Buy milk"},
		{"bracket member", "current['title']", "Buy milk"},
		{"index", "rows[1].title", "second"},
		{"typed list index", "list[0].n", 1.0},
		{"computed index", "rows[count - 2].title", "second"},
		{"missing member", "current.nope", jsUndefined{}},
		{"out of range", "rows[5]", jsUndefined{}},
		{"length of list", "current.tags.length", 2.0},
		{"length of string", "note.length", 2.0},
		{"char of string", "note[1]", "i"},
		{"null value", "nothing", nil},
		{"null concat", "'a' + nothing", "anull"},
		{"undefined concat", "'a' + current.nope", "aundefined"},
		{"list to string", "'' + current.tags", "a,b"},
		{"object to string", "'' + current", "[object Object]"},
		{"number formatting", "'' + 0.1 * 3", "0.30000000000000004"},
		{"big number", "'' + 1e21", "1e+21"},
		{"division by zero", "'' + 1 / 0", "Infinity"},
		{"btoa", "btoa('hello')", "aGVsbG8="},
		{"atob", "atob('aGVsbG8=')", "hello"},
		{"atob unpadded", "atob('aGVsbG8')", "hello"},
		{"ToJson", "ToJson(current.tags)", `["a","b"]`},
		{"FromJson", "FromJson('{\"a\":[1,2]}').a[1]", 2.0},
		{"MD5Hash", "MD5Hash('abc')", "900150983cd24fb0d6963f7d28e17f72"},
		{"SHA256Hash", "SHA256Hash('abc')", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"ToString", "ToString(12)", "12"},
		{"user id", "user.id", "u-1"},
		{"whitespace", " \t1\n+\r1 ", 2.0},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			got, err := evalExpr(s.src, exprScope())
			if err != nil {
				t.Fatalf("%s: %v", s.src, err)
			}
			if !strictEqual(got, s.want) && !(jsType(got) == "undefined" && jsType(s.want) == "undefined") {
				t.Fatalf("%s = %#v, want %#v", s.src, got, s.want)
			}
		})
	}
}

func TestEvalExprUUID(t *testing.T) {
	t.Parallel()
	a, err := evalExpr("uuid()", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := evalExpr("uuid()", nil)
	if s, ok := a.(string); !ok || len(s) != 36 || a == b {
		t.Fatalf("uuid() = %v, %v", a, b)
	}
}

func TestEvalExprErrors(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ name, src, msg string }{
		{"empty", "", "unexpected"},
		{"unknown name", "missing + 1", "missing is not defined"},
		{"member of null", "nothing.x", "cannot read"},
		{"member of undefined", "current.nope.x", "cannot read"},
		{"assignment", "a = 1", "unsupported character"},
		{"unterminated string", "'abc", "unterminated string"},
		{"bad escape", `'\u12'`, "bad \\u escape"},
		{"bad number", "1.2.3", "bad number"},
		{"trailing tokens", "1 2", "unexpected"},
		{"unclosed paren", "(1 + 2", "expected \")\""},
		{"unclosed index", "rows[0", "expected \"]\""},
		{"dangling operator", "1 +", "unexpected"},
		{"missing colon", "true ? 1", "expected \":\""},
		{"unknown function", "eval('1')", "unknown function eval()"},
		{"method call", "note.toUpperCase()", "only helper functions"},
		{"wrong arity", "btoa()", "takes 1 argument"},
		{"bad base64", "atob('***')", "not base64"},
		{"bad json", "FromJson('{')", "FromJson"},
		{"number after dot", "current.1", "unexpected"},
		{"name after dot", "current.'x'", "expected a name"},
		{"unsupported operator", "1 & 2", "unsupported character"},
		{"too long", strings.Repeat("1+", maxExprLen) + "1", "longer than"},
		{"too deep", strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100), "nested deeper"},
		{"too deep unary", strings.Repeat("!", 100) + "1", "nested deeper"},
		{"string too long", strings.Repeat("btoa(", 50) + "'xxxxxxxx'" + strings.Repeat(")", 50), "longer than"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := evalExpr(s.src, exprScope())
			var ae *Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
				t.Fatalf("%.40s: want a 400 action error, got %v", s.src, err)
			}
			if !strings.Contains(ae.Message, s.msg) || !strings.Contains(ae.Message, "invalid expression") {
				t.Fatalf("%.40s: message %q lacks %q", s.src, ae.Message, s.msg)
			}
		})
	}
}

func TestTruthyAndNumbers(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		v        any
		jsTruthy bool
		num      float64
	}{
		{nil, false, 0}, {"", false, 0}, {"0", true, 0}, {" 12 ", true, 12}, {"0x10", true, 16},
		{int64(0), false, 0}, {2, true, 2}, {json.Number("1.5"), true, 1.5}, {true, true, 1},
		{map[string]any{}, true, math.NaN()}, {[]any{}, true, 0}, {"Infinity", true, math.Inf(1)},
		{"inf", true, math.NaN()}, {"1_0", true, math.NaN()},
	} {
		if jsTruthy(s.v) != s.jsTruthy {
			t.Errorf("truthy(%#v) = %v", s.v, !s.jsTruthy)
		}
		if n := jsNumber(s.v); n != s.num && !(math.IsNaN(n) && math.IsNaN(s.num)) {
			t.Errorf("toNumber(%#v) = %v, want %v", s.v, n, s.num)
		}
	}
}

func FuzzEval(f *testing.F) {
	for _, s := range []string{"1 + 2 * 3", "current.title + note", "rows[0].title", "!flag ? 'a' : \"b\"",
		"btoa(atob('aGk='))", "FromJson('[1,{\"a\":2}]')[1].a", "((((1))))", "'\\u0041'", "-.5e-3 % 2",
		"count === 3 && note != null || undefined"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := evalExpr(src, exprScope())
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
				t.Fatalf("%q: error is not a 400 action error: %v", src, err)
			}
			return
		}
		_ = jsString(v)
		_ = jsTruthy(v)
	})
}
