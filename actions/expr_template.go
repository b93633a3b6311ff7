package actions

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// This file evaluates outcome attribute values (contract core.md §6.6):
// ~path reads a context value, $path substitutes one into text, and !expr
// and {{expr}} run an expression (expr.go).

// EvalValue evaluates v with the action expression syntax of outcome
// attributes (contract core.md §6.6) over vars: ~name is the value of name,
// $name is substituted into text (a missing one is a 400 action failure),
// !expr and {{expr}} are expressions; maps and lists element by element.
// Other packages use it where Daptin reuses that syntax (stream
// QueryParams, sidecars.md §10.1).
func EvalValue(v any, vars map[string]any) (any, error) { return evalValue(v, vars) }

// evalValue evaluates an outcome attribute value (contract core.md §6.6):
// strings as below, maps and lists element by element, the rest as is.
func evalValue(v any, vars map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		return evalString(x, vars)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ev, err := evalValue(e, vars)
			if err != nil {
				return nil, err
			}
			out[k] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			ev, err := evalValue(e, vars)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return v, nil
}

// evalString evaluates one string: ~path is a context value with its type,
// !expr and {{expr}} are expressions, anything else gets $path
// substitution.
func evalString(s string, vars map[string]any) (any, error) {
	switch {
	case strings.HasPrefix(s, "~"):
		path := s[1:]
		if path == "" || path[0] == '.' {
			path = "subject" + path
		}
		v, _ := lookupVarPath(path, vars)
		return v, nil
	case strings.HasPrefix(s, "!"):
		return evalExpr(s[1:], vars)
	case len(s) >= 4 && strings.HasPrefix(s, "{{") && strings.HasSuffix(s, "}}"):
		return evalExpr(s[2:len(s)-2], vars)
	}
	return substitutePaths(s, vars)
}

// substitutePaths replaces each $path in s with its value as text. When s is
// exactly one $path the value keeps its type. A missing path is an error.
func substitutePaths(s string, vars map[string]any) (any, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		n := 0
		if s[i] == '$' {
			n = dollarPathLen(s[i+1:])
		}
		if n == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		path := s[i+1 : i+1+n]
		if path[0] == '.' {
			path = "subject" + path
		}
		v, ok := lookupVarPath(path, vars)
		if !ok {
			return nil, Fail(http.StatusBadRequest, "no value for $%s in %q", s[i+1:i+1+n], s)
		}
		if i == 0 && n+1 == len(s) {
			return v, nil
		}
		b.WriteString(outcomeText(v))
		i += 1 + n
	}
	return b.String(), nil
}

// dollarPathLen is the length of the $path at the start of s: an optional
// leading dot, a name that does not start with a digit, then .name and [n]
// steps.
func dollarPathLen(s string) int {
	i := 0
	if i < len(s) && s[i] == '.' {
		i++
	}
	if i == len(s) || !exprIdentStart(s[i]) || s[i] == '$' {
		return 0 // "$5", "$ " and "$$" are literal text
	}
	i = pathNameEnd(s, i)
	for i < len(s) {
		switch {
		case s[i] == '.' && pathNameEnd(s, i+1) > i+1:
			i = pathNameEnd(s, i+1)
		case s[i] == '[':
			k := i + 1
			for k < len(s) && exprDigit(s[k]) {
				k++
			}
			if k == i+1 || k >= len(s) || s[k] != ']' {
				return i
			}
			i = k + 1
		default:
			return i
		}
	}
	return i
}

func pathNameEnd(s string, i int) int {
	for i < len(s) && (exprIdentStart(s[i]) && s[i] != '$' || exprDigit(s[i])) {
		i++
	}
	return i
}

// lookupVarPath walks a path like a.b[0].c from the context.
func lookupVarPath(path string, vars map[string]any) (any, bool) {
	var cur any = vars
	for path != "" {
		var key any
		switch {
		case path[0] == '.':
			path = path[1:]
			continue
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(path[1:end])
			if err != nil {
				return nil, false
			}
			key, path = float64(n), path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			key, path = path[:end], path[end:]
		}
		v, err := jsMember(cur, key)
		if _, missing := v.(jsUndefined); err != nil || missing {
			return nil, false
		}
		cur = v
	}
	return cur, true
}

// outcomeText is a value as substituted into text: nil is empty, maps and
// lists are JSON.
func outcomeText(v any) string {
	switch v.(type) {
	case nil, jsUndefined:
		return ""
	case map[string]any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	if k := reflect.ValueOf(v).Kind(); k == reflect.Slice && jsType(v) == "object" {
		if _, ok := v.([]byte); !ok {
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	return jsString(v)
}
