package feed

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

// Evaluator evaluates a value with the action expression syntax (contract
// core.md §6.6): ~name, $name, !expr and {{expr}} over vars, maps and
// lists element by element. The server passes actions.EvalValue; this
// package does not import actions.
type Evaluator func(v any, vars map[string]any) (any, error)

// Params are what a stream's QueryParams values are evaluated with (as
// Daptin does, sidecars.md §10.1): the request's query parameters, by
// name with their first value, and the evaluator. A nil Eval takes the
// values as written.
type Params struct {
	Vars map[string]any
	Eval Evaluator
}

// RequestParams returns the Params of a request's query string.
func RequestParams(q url.Values, eval Evaluator) Params {
	vars := make(map[string]any, len(q))
	for k, v := range q {
		if len(v) > 0 {
			vars[k] = v[0]
		}
	}
	return Params{Vars: vars, Eval: eval}
}

// withParams puts the stream's QueryParams (sort, filter, query) over q,
// each evaluated with p. A value that evaluates to nothing (a ~name the
// request lacks) leaves q as the request gave it.
func withParams(q resource.Query, c contract, p Params) (resource.Query, error) {
	keys := make([]string, 0, len(c.QueryParams))
	for k := range c.QueryParams {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "sort", "filter", "query":
		default:
			continue
		}
		val, err := p.value(k, c.QueryParams[k])
		if err != nil {
			return q, httperr.New(http.StatusBadRequest, "invalid query parameter",
				fmt.Sprintf("stream %s: QueryParams %s: %v", c.StreamName, k, err))
		}
		if val == "" {
			continue
		}
		switch k {
		case "sort":
			q.Sort = resource.ParseSort(val)
		case "filter":
			q.Keyword = val
		case "query":
			conds, err := resource.ParseConditions(val)
			if err != nil {
				// The stream's own query is broken: %v keeps the resource
				// error kind out (a 500, the server's fault).
				return q, fmt.Errorf("stream %q: QueryParams query: %v", c.StreamName, err)
			}
			q.Conditions = conds
		}
	}
	return q, nil
}

// value evaluates one QueryParams value (a string or the first of a list)
// to text. A query that is JSON is evaluated element by element, so a
// value taken from the request lands inside a JSON string as data and
// cannot change the query's structure; any other query is evaluated as
// text and then parsed.
func (p Params) value(key string, raw any) (string, error) {
	v := first(raw)
	if s, ok := v.(string); p.Eval == nil || (ok && !mayReference(s)) {
		return str(v), nil
	}
	if s, ok := v.(string); ok && key == "query" {
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
			var doc any
			if json.Unmarshal([]byte(t), &doc) == nil {
				ev, err := p.Eval(doc, p.Vars)
				if err != nil {
					return "", err
				}
				b, err := json.Marshal(ev)
				return string(b), err
			}
		}
	}
	ev, err := p.Eval(v, p.Vars)
	if err != nil {
		return "", err
	}
	switch x := first(ev).(type) {
	case map[string]any, []any:
		b, err := json.Marshal(x)
		return string(b), err
	default:
		return str(x), nil
	}
}

// mayReference reports whether s may hold an expression (~name, $name,
// !expr, {{expr}}, also inside a JSON query); without one it is taken as
// written, which skips evaluating (and re-encoding) most stream queries.
func mayReference(s string) bool {
	return strings.ContainsAny(s, "~$!") || strings.Contains(s, "{{")
}

// first is a value, or the first element of a list (nil when empty).
func first(v any) any {
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return nil
		}
		return l[0]
	}
	return v
}

// firstString reads a QueryParams value as written: a string or the
// first of a list.
func firstString(v any) string { return str(first(v)) }
