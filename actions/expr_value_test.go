package actions

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestJSString(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, "null"}, {jsUndefined{}, "undefined"}, {"x", "x"}, {true, "true"}, {false, "false"},
		{[]byte("raw"), "raw"}, {when, "2024-05-06T07:08:09Z"}, {map[string]any{"a": 1}, "[object Object]"},
		{3.0, "3"}, {-0.5, "-0.5"}, {int64(42), "42"}, {uint8(7), "7"}, {json.Number("1.50"), "1.5"},
		{[]any{1.0, nil, "b"}, "1,,b"}, {[]string{"a", "b"}, "a,b"}, {[]any{}, ""},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
		{1e21, "1e+21"}, {1.5e-7, "1.5e-7"}, {123456789.0, "123456789"}, {0.000001, "0.000001"},
	} {
		if got := jsString(c.v); got != c.want {
			t.Errorf("jsString(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestJSParseNumber(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    string
		want float64
	}{
		{"", 0}, {"  ", 0}, {"12", 12}, {"-3.5", -3.5}, {"+4", 4}, {".5", 0.5}, {"1e3", 1000},
		{"0xff", 255}, {"0XA", 10}, {"0xzz", math.NaN()}, {"-Infinity", math.Inf(-1)}, {"+Infinity", math.Inf(1)},
		{"abc", math.NaN()}, {"-", math.NaN()}, {"1p3", math.NaN()}, {"12abc", math.NaN()}, {"NaN", math.NaN()},
	} {
		got := jsParseNumber(c.s)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("jsParseNumber(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestJSTypeAndTruthy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v      any
		typ    string
		truthy bool
	}{
		{nil, "null", false}, {jsUndefined{}, "undefined", false}, {"", "string", false}, {"a", "string", true},
		{false, "boolean", false}, {true, "boolean", true}, {0.0, "number", false}, {math.NaN(), "number", false},
		{float32(2), "number", true}, {uint64(0), "number", false}, {json.Number("0"), "number", false},
		{[]any{}, "object", true}, {map[string]any{}, "object", true}, {struct{}{}, "object", true},
	} {
		if got := jsType(c.v); got != c.typ {
			t.Errorf("jsType(%#v) = %q, want %q", c.v, got, c.typ)
		}
		if got := jsTruthy(c.v); got != c.truthy {
			t.Errorf("jsTruthy(%#v) = %v, want %v", c.v, got, c.truthy)
		}
	}
}

func TestEquality(t *testing.T) {
	t.Parallel()
	m := map[string]any{"a": 1.0}
	list := []any{1.0, 2.0}
	for _, c := range []struct {
		a, b          any
		loose, strict bool
	}{
		{nil, nil, true, true},
		{nil, jsUndefined{}, true, false},
		{nil, 0.0, false, false},
		{jsUndefined{}, "", false, false},
		{1.0, "1", true, false},
		{int64(1), 1.0, true, true},
		{true, 1.0, true, false},
		{"abc", "abc", true, true},
		{"abc", "abd", false, false},
		{m, m, true, true},
		{m, map[string]any{"a": 1.0}, false, false},
		{m, "[object Object]", true, false},
		{list, list, true, true},
		{list, list[:1], false, false},
		{list, "1,2", true, false},
		{[]any{5.0}, 5.0, true, false},
		{math.NaN(), math.NaN(), false, false},
	} {
		if got := looseEqual(c.a, c.b); got != c.loose {
			t.Errorf("looseEqual(%#v, %#v) = %v, want %v", c.a, c.b, got, c.loose)
		}
		if got := looseEqual(c.b, c.a); got != c.loose {
			t.Errorf("looseEqual(%#v, %#v) not symmetric", c.b, c.a)
		}
		if got := strictEqual(c.a, c.b); got != c.strict {
			t.Errorf("strictEqual(%#v, %#v) = %v, want %v", c.a, c.b, got, c.strict)
		}
	}
}

func TestBinaryOp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		op   string
		a, b any
		want any
	}{
		{"+", 1.0, 2.0, 3.0}, {"+", "a", 1.0, "a1"}, {"+", 1.0, "a", "1a"}, {"+", true, 1.0, 2.0},
		{"+", nil, 1.0, 1.0}, {"+", []any{1.0}, 1.0, "11"}, {"-", "5", 2.0, 3.0}, {"*", "3", "4", 12.0},
		{"/", 1.0, 4.0, 0.25}, {"%", 7.0, 3.0, 1.0}, {"%", -7.0, 3.0, -1.0},
		{"==", "1", 1.0, true}, {"!=", "1", 1.0, false}, {"===", "1", 1.0, false}, {"!==", "1", 1.0, true},
		{"<", "a", "b", true}, {"<", "10", "9", true}, {"<", 10.0, "9", false}, {">=", 2.0, 2.0, true},
		{"<=", "b", "a", false}, {">", 3.0, nil, true}, {"&&", 1.0, "right", "right"}, {"||", 0.0, 2.0, 2.0},
	} {
		got, err := binaryOp(c.op, c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("%#v %s %#v = %#v, %v; want %#v", c.a, c.op, c.b, got, err, c.want)
		}
	}
	if _, err := binaryOp("**", 1.0, 2.0); err == nil || !strings.Contains(err.Error(), "**") {
		t.Errorf("unknown operator: %v", err)
	}
	big := strings.Repeat("x", maxStringLen/2+1)
	if _, err := binaryOp("+", big, big); err == nil {
		t.Error("concatenation beyond maxStringLen succeeded")
	}
	if got, _ := binaryOp("/", 1.0, 0.0); !math.IsInf(got.(float64), 1) {
		t.Errorf("1/0 = %v", got)
	}
}

func TestJSMember(t *testing.T) {
	t.Parallel()
	obj := map[string]any{"a": "x", "1": "one"}
	for _, c := range []struct {
		obj, key, want any
	}{
		{obj, "a", "x"}, {obj, 1.0, "one"}, {obj, "b", jsUndefined{}},
		{"héllo", "length", 5.0}, {"héllo", 1.0, "é"}, {"abc", 3.0, jsUndefined{}}, {"abc", 0.5, jsUndefined{}},
		{[]any{"p", "q"}, "length", 2.0}, {[]any{"p", "q"}, "1", "q"}, {[]any{"p"}, -1.0, jsUndefined{}},
		{[]string{"s"}, 0.0, "s"}, {[2]int{4, 5}, 1.0, 5}, {3.0, "x", jsUndefined{}}, {true, "length", jsUndefined{}},
	} {
		got, err := jsMember(c.obj, c.key)
		if err != nil || got != c.want {
			t.Errorf("jsMember(%#v, %#v) = %#v, %v; want %#v", c.obj, c.key, got, err, c.want)
		}
	}
	for _, o := range []any{nil, jsUndefined{}} {
		if _, err := jsMember(o, "x"); err == nil || !strings.Contains(err.Error(), `"x"`) {
			t.Errorf("member of %#v: %v", o, err)
		}
	}
}

func TestExprHelpers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		args []any
		want any
	}{
		{"ToString", []any{2.0}, "2"}, {"btoa", []any{"hi"}, "aGk="}, {"Base64Encode", []any{"hi"}, "aGk="},
		{"atob", []any{"aGk="}, "hi"}, {"Base64Decode", []any{"aGk"}, "hi"}, {"ToJson", []any{jsUndefined{}}, "null"},
		{"ToJson", []any{map[string]any{"a": []any{1.0}}}, `{"a":[1]}`}, {"FromJson", []any{`"s"`}, "s"},
		{"MD5Hash", []any{"abc"}, "900150983cd24fb0d6963f7d28e17f72"},
		{"SHA256Hash", []any{""}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	} {
		got, err := callExprHelper(c.name, c.args)
		if err != nil || got != c.want {
			t.Errorf("%s(%v) = %#v, %v; want %#v", c.name, c.args, got, err, c.want)
		}
	}
	for _, c := range []struct {
		name string
		args []any
		msg  string
	}{
		{"nosuch", nil, "unknown function nosuch()"}, {"btoa", nil, "takes 1 argument(s), got 0"},
		{"uuid", []any{1.0}, "takes 0 argument(s), got 1"}, {"atob", []any{"!!"}, "not base64"},
		{"FromJson", []any{"{"}, "FromJson"}, {"btoa", []any{strings.Repeat("a", maxStringLen)}, "longer than"},
	} {
		if _, err := callExprHelper(c.name, c.args); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s(%d args): %v, want %q", c.name, len(c.args), err, c.msg)
		}
	}
}

func TestDollarPathLen(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", 0}, {"5", 0}, {" x", 0}, {"$x", 0}, {".", 0}, {"a", 1}, {"abc def", 3}, {".title", 6},
		{"a.b.c", 5}, {"a.", 1}, {"a..b", 1}, {"rows[0].x", 9}, {"rows[]", 4}, {"rows[1", 4}, {"rows[x]", 4},
		{"a_1$", 3}, {"a[10][2]!", 8},
	} {
		if got := dollarPathLen(c.s); got != c.want {
			t.Errorf("dollarPathLen(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}

func TestLookupVarPath(t *testing.T) {
	t.Parallel()
	vars := map[string]any{
		"a":    map[string]any{"b": []any{"zero", map[string]any{"c": 3.0}}},
		"s":    "text",
		"null": nil,
	}
	for _, c := range []struct {
		path string
		want any
		ok   bool
	}{
		{"a.b[0]", "zero", true}, {"a.b[1].c", 3.0, true}, {"a.b.length", 2.0, true}, {"s.length", 4.0, true},
		{"null", nil, true}, {"", vars, true}, {"a.x", nil, false}, {"a.b[2]", nil, false}, {"a.b[", nil, false},
		{"a.b[x]", nil, false}, {"null.x", nil, false}, {"s[1]", "e", true},
	} {
		got, ok := lookupVarPath(c.path, vars)
		if ok != c.ok {
			t.Errorf("lookupVarPath(%q) ok = %v, want %v", c.path, ok, c.ok)
			continue
		}
		if c.path == "" {
			if _, isMap := got.(map[string]any); !isMap {
				t.Errorf("empty path = %#v", got)
			}
			continue
		}
		if ok && got != c.want {
			t.Errorf("lookupVarPath(%q) = %#v, want %#v", c.path, got, c.want)
		}
	}
}

func TestOutcomeText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, ""}, {jsUndefined{}, ""}, {"s", "s"}, {2.0, "2"}, {true, "true"}, {[]byte("b"), "b"},
		{map[string]any{"k": "v"}, `{"k":"v"}`}, {[]any{1.0, "x"}, `[1,"x"]`}, {[]string{"p"}, `["p"]`},
	} {
		if got := outcomeText(c.v); got != c.want {
			t.Errorf("outcomeText(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}
