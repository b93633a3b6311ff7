package actions

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// This file gives expression values JavaScript's semantics: member access,
// operators, truthiness, conversions, equality and the helper functions.

// jsMember reads obj[key] with JavaScript's rules for maps, lists and strings.
func jsMember(obj, key any) (any, error) {
	switch o := obj.(type) {
	case nil, jsUndefined:
		return nil, fmt.Errorf("cannot read %q of %s", jsString(key), jsString(obj))
	case map[string]any:
		if v, ok := o[jsString(key)]; ok {
			return v, nil
		}
		return jsUndefined{}, nil
	case string:
		if jsString(key) == "length" {
			return float64(utf8.RuneCountInString(o)), nil
		}
		r := []rune(o)
		if i, ok := jsIndex(key, len(r)); ok {
			return string(r[i]), nil
		}
		return jsUndefined{}, nil
	}
	rv := reflect.ValueOf(obj)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		if jsString(key) == "length" {
			return float64(rv.Len()), nil
		}
		if i, ok := jsIndex(key, rv.Len()); ok {
			return rv.Index(i).Interface(), nil
		}
	}
	return jsUndefined{}, nil
}

// jsIndex turns a numeric key into a position below n.
func jsIndex(key any, n int) (int, bool) {
	f := jsNumber(key)
	if f != math.Trunc(f) || f < 0 || f >= float64(n) {
		return 0, false
	}
	return int(f), true
}

func binaryOp(op string, a, b any) (any, error) {
	switch op {
	case "&&", "||":
		return b, nil
	case "==":
		return looseEqual(a, b), nil
	case "!=":
		return !looseEqual(a, b), nil
	case "===":
		return strictEqual(a, b), nil
	case "!==":
		return !strictEqual(a, b), nil
	case "<", "<=", ">", ">=":
		return jsCompare(op, a, b), nil
	case "+":
		if isPrimitive(a) && isPrimitive(b) && jsType(a) != "string" && jsType(b) != "string" {
			return jsNumber(a) + jsNumber(b), nil
		}
		sa, sb := jsString(a), jsString(b)
		if len(sa)+len(sb) > maxStringLen {
			return nil, fmt.Errorf("string longer than %d bytes", maxStringLen)
		}
		return sa + sb, nil
	}
	x, y := jsNumber(a), jsNumber(b)
	switch op {
	case "-":
		return x - y, nil
	case "*":
		return x * y, nil
	case "/":
		return x / y, nil
	case "%":
		return math.Mod(x, y), nil
	}
	return nil, fmt.Errorf("unknown operator %q", op)
}

func jsCompare(op string, a, b any) bool {
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			c := strings.Compare(sa, sb)
			return op == "<" && c < 0 || op == "<=" && c <= 0 || op == ">" && c > 0 || op == ">=" && c >= 0
		}
	}
	x, y := jsNumber(a), jsNumber(b)
	return op == "<" && x < y || op == "<=" && x <= y || op == ">" && x > y || op == ">=" && x >= y
}

// jsType is JavaScript's typeof, with "null" for nil.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case jsUndefined:
		return "undefined"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return "number"
	}
	return "object"
}

func isPrimitive(v any) bool { return jsType(v) != "object" }

// jsTruthy is JavaScript's ToBoolean.
func jsTruthy(v any) bool {
	switch x := v.(type) {
	case nil, jsUndefined:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if jsType(v) == "number" {
		f := jsNumber(v)
		return f != 0 && !math.IsNaN(f)
	}
	return true
}

// jsNumber is JavaScript's ToNumber.
func jsNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case json.Number:
		return jsParseNumber(string(x))
	case string:
		return jsParseNumber(x)
	case []any:
		if len(x) <= 1 {
			return jsParseNumber(jsString(x))
		}
	}
	return math.NaN()
}

func jsParseNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		if n, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return float64(n)
		}
		return math.NaN()
	}
	t := s
	if t[0] == '+' || t[0] == '-' {
		t = t[1:]
	}
	if t == "Infinity" {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	if t == "" || (!exprDigit(t[0]) && t[0] != '.') || strings.ContainsAny(t, "_xXpP") {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// jsString is JavaScript's ToString; times are RFC 3339.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case jsUndefined:
		return "undefined"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case map[string]any:
		return "[object Object]"
	}
	if jsType(v) == "number" {
		return jsFormatNumber(jsNumber(v))
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		parts := make([]string, rv.Len())
		for i := range parts {
			if e := rv.Index(i).Interface(); e != nil {
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// jsFormatNumber prints a number as JavaScript does: 1, 1.5, 1e+21, NaN.
func jsFormatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	case math.Abs(f) >= 1e21 || math.Abs(f) < 1e-6:
		s := strconv.FormatFloat(f, 'e', -1, 64)
		return strings.Replace(strings.Replace(s, "e+0", "e+", 1), "e-0", "e-", 1)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// strictEqual is JavaScript's ===; objects are equal only to themselves.
func strictEqual(a, b any) bool {
	ta, tb := jsType(a), jsType(b)
	if ta != tb {
		return false
	}
	switch ta {
	case "null", "undefined":
		return true
	case "number":
		return jsNumber(a) == jsNumber(b)
	case "string", "boolean":
		return a == b
	}
	return jsSameObject(a, b)
}

func jsSameObject(a, b any) bool {
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch ra.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer:
		return ra.Kind() == rb.Kind() && ra.Pointer() == rb.Pointer() && (ra.Kind() != reflect.Slice || ra.Len() == rb.Len())
	}
	return ra.Type() == rb.Type() && ra.Comparable() && a == b
}

// looseEqual is JavaScript's ==: "1" == 1, true == 1, null == undefined.
func looseEqual(a, b any) bool {
	ta, tb := jsType(a), jsType(b)
	switch {
	case ta == tb:
		return strictEqual(a, b)
	case (ta == "null" || ta == "undefined") && (tb == "null" || tb == "undefined"):
		return true
	case ta == "null" || ta == "undefined" || tb == "null" || tb == "undefined":
		return false
	case ta == "object":
		return looseEqual(jsString(a), b)
	case tb == "object":
		return looseEqual(a, jsString(b))
	}
	return jsNumber(a) == jsNumber(b)
}

// exprHelpers are the functions expressions may call, by argument count.
var exprHelpers = map[string]struct {
	args int
	fn   func(a []any) (any, error)
}{
	"uuid":         {0, func([]any) (any, error) { return uuid.NewString(), nil }},
	"ToString":     {1, func(a []any) (any, error) { return jsString(a[0]), nil }},
	"btoa":         {1, exprBtoa},
	"atob":         {1, exprAtob},
	"Base64Encode": {1, exprBtoa},
	"Base64Decode": {1, exprAtob},
	"ToJson": {1, func(a []any) (any, error) {
		v := a[0]
		if _, ok := v.(jsUndefined); ok {
			v = nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}},
	"FromJson": {1, func(a []any) (any, error) {
		var v any
		if err := json.Unmarshal([]byte(jsString(a[0])), &v); err != nil {
			return nil, fmt.Errorf("FromJson: %v", err)
		}
		return v, nil
	}},
	"MD5Hash": {1, func(a []any) (any, error) {
		h := md5.Sum([]byte(jsString(a[0])))
		return hex.EncodeToString(h[:]), nil
	}},
	"SHA256Hash": {1, func(a []any) (any, error) {
		h := sha256.Sum256([]byte(jsString(a[0])))
		return hex.EncodeToString(h[:]), nil
	}},
}

func exprBtoa(a []any) (any, error) {
	s := jsString(a[0])
	if len(s) > maxStringLen*3/4 {
		return nil, fmt.Errorf("string longer than %d bytes", maxStringLen)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func exprAtob(a []any) (any, error) {
	s := strings.TrimRight(jsString(a[0]), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	return string(b), nil
}

func callExprHelper(name string, args []any) (any, error) {
	h, ok := exprHelpers[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %s()", name)
	}
	if len(args) != h.args {
		return nil, fmt.Errorf("%s() takes %d argument(s), got %d", name, h.args, len(args))
	}
	return h.fn(args)
}
