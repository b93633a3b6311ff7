package feed

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

// TestWithParamsExpressions: stream QueryParams values are evaluated with
// the action expression syntax over the request's query parameters; a
// value from the request lands in a JSON query as data, never as syntax.
func TestWithParamsExpressions(t *testing.T) {
	t.Parallel()
	base := resource.Query{PageSize: 10, Keyword: "from request", Sort: []resource.SortKey{{Column: "id"}}}
	kind := func(v any) []resource.Condition {
		return []resource.Condition{{Column: "kind", Operator: "is", Value: v}}
	}
	for _, c := range []struct {
		name   string
		params map[string]any
		query  string // the request's query string
		eval   Evaluator
		want   resource.Query
		status int // of the error; 0: none
	}{
		{name: "~name in a JSON query", params: map[string]any{"query": []any{`[{"column":"kind","operator":"is","value":"~kind"}]`}}, query: "kind=dog",
			eval: actions.EvalValue, want: resource.Query{PageSize: 10, Keyword: "from request", Sort: base.Sort, Conditions: kind("dog")}},
		{name: "a quote stays data", params: map[string]any{"query": `[{"column":"kind","operator":"is","value":"$kind"}]`}, query: "kind=" + url.QueryEscape(`dog","operator":"like`),
			eval: actions.EvalValue, want: resource.Query{PageSize: 10, Keyword: "from request", Sort: base.Sort, Conditions: kind(`dog","operator":"like`)}},
		{name: "$name inside text", params: map[string]any{"query": `[{"column":"kind","operator":"is","value":"big-$kind"}]`}, query: "kind=dog",
			eval: actions.EvalValue, want: resource.Query{PageSize: 10, Keyword: "from request", Sort: base.Sort, Conditions: kind("big-dog")}},
		{name: "whole query from the request", params: map[string]any{"query": []any{"~q"}}, query: "q=" + url.QueryEscape(`[{"column":"kind","operator":"is","value":"cat"}]`),
			eval: actions.EvalValue, want: resource.Query{PageSize: 10, Keyword: "from request", Sort: base.Sort, Conditions: kind("cat")}},
		{name: "sort and filter", params: map[string]any{"sort": []any{"~order"}, "filter": "$word"}, query: "order=-name&word=rex",
			eval: actions.EvalValue, want: resource.Query{PageSize: 10, Keyword: "rex", Sort: []resource.SortKey{{Column: "name", Desc: true}}}},
		{name: "an expression", params: map[string]any{"filter": "!word ? word : 'none'"}, query: "word=",
			eval: actions.EvalValue, want: resource.Query{PageSize: 10, Keyword: "none", Sort: base.Sort}},
		{name: "~name the request lacks keeps the request's value", params: map[string]any{"sort": []any{"~order"}, "filter": "~word"},
			eval: actions.EvalValue, want: base},
		{name: "$name the request lacks is a 400", params: map[string]any{"filter": "$word"}, eval: actions.EvalValue, status: 400},
		{name: "a bad expression is a 400", params: map[string]any{"filter": "!word +"}, eval: actions.EvalValue, status: 400},
		{name: "no evaluator: as written", params: map[string]any{"filter": "~word", "sort": "title"}, query: "word=x",
			want: resource.Query{PageSize: 10, Keyword: "~word", Sort: []resource.SortKey{{Column: "title"}}}},
		{name: "plain values", params: map[string]any{"sort": "title", "query": `[{"column":"kind","operator":"is","value":"dog"}]`}, query: "kind=cat",
			eval: actions.EvalValue, want: resource.Query{PageSize: 10, Keyword: "from request", Sort: []resource.SortKey{{Column: "title"}}, Conditions: kind("dog")}},
		{name: "other keys are ignored", params: map[string]any{"page[size]": "5", "include": "$nothing"}, eval: actions.EvalValue, want: base},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, _ := url.ParseQuery(c.query)
			got, err := withParams(base, contract{StreamName: "s", QueryParams: c.params}, RequestParams(v, c.eval))
			var he *httperr.Error
			switch {
			case c.status != 0:
				if !errors.As(err, &he) || he.Status != c.status {
					t.Errorf("error %v, want status %d", err, c.status)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case !reflect.DeepEqual(got, c.want):
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// BenchmarkWithParams: a stream's QueryParams taken as written (what
// streams did before expressions) against evaluated over the request.
func BenchmarkWithParams(b *testing.B) {
	c := contract{StreamName: "s", QueryParams: map[string]any{
		"query": []any{`[{"column":"kind","operator":"is","value":"~kind"}]`}, "sort": []any{"~order"}}}
	plain := contract{StreamName: "s", QueryParams: map[string]any{
		"query": []any{`[{"column":"kind","operator":"is","value":"dog"}]`}, "sort": []any{"-name"}}}
	v, _ := url.ParseQuery("kind=dog&order=-name&page[size]=20")
	for _, bc := range []struct {
		name string
		eval Evaluator
		c    contract
	}{{"as-written", nil, c}, {"evaluated", actions.EvalValue, c}, {"no-expression", actions.EvalValue, plain}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := withParams(resource.Query{PageSize: 20}, bc.c, RequestParams(v, bc.eval)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
