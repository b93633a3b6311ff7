package graphql

import (
	"reflect"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

func TestSlicePage(t *testing.T) {
	t.Parallel()
	rows := make([]*obj, 7)
	for i := range rows {
		rows[i] = &obj{}
	}
	cases := []struct {
		number, size, from, to int
		none                   bool
	}{
		{0, 0, 0, 7, false}, {1, 3, 0, 3, false}, {2, 3, 3, 6, false}, {3, 3, 6, 7, false},
		{4, 3, 0, 0, true}, {0, 5, 0, 5, false}, {-2, 5, 0, 5, false}, {1, 100, 0, 7, false},
	}
	for _, c := range cases {
		got := slicePage(rows, c.number, c.size)
		if c.none {
			if got != nil {
				t.Errorf("page %d size %d: %d rows, want none", c.number, c.size, len(got))
			}
			continue
		}
		if !reflect.DeepEqual(got, rows[c.from:c.to]) {
			t.Errorf("page %d size %d: %d rows, want rows %d..%d", c.number, c.size, len(got), c.from, c.to)
		}
	}
}

func TestQueryOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args map[string]any
		want resource.Query
		bad  bool
	}{
		{"none", map[string]any{}, resource.Query{}, false},
		{"filter, page, sort", map[string]any{"filter": "milk", "page": map[string]any{"number": 2, "size": 5}, "sort": "-created_at, title,,+id"},
			resource.Query{Keyword: "milk", PageNumber: 2, PageSize: 5, Sort: []resource.SortKey{
				{Column: "created_at", Desc: true}, {Column: "title"}, {Column: "id"}}}, false},
		{"query", map[string]any{"query": []any{map[string]any{"column": "title", "operator": "is", "value": "x"}}},
			resource.Query{Conditions: []resource.Condition{{Column: "title", Operator: "is", Value: "x"}}}, false},
		{"bad query", map[string]any{"query": 5.0}, resource.Query{}, true},
	}
	for _, c := range cases {
		got, err := queryOf(c.args)
		if (err != nil) != c.bad {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		if !c.bad && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got  %+v\n want %+v", c.name, got, c.want)
		}
	}
}

func TestWriteAttrs(t *testing.T) {
	t.Parallel()
	got := writeAttrs(map[string]any{schema.ColReferenceID: "r", "n": 3, "f": 1.5, "s": "x"})
	want := map[string]any{"n": int64(3), "f": 1.5, "s": "x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("writeAttrs = %#v, want %#v", got, want)
	}
}

func TestLinkage(t *testing.T) {
	t.Parallel()
	r := resource.Ref{Type: "tag", ID: "1"}
	var nilRef *resource.Ref
	cases := []struct {
		in   any
		want []resource.Ref
	}{
		{&r, []resource.Ref{r}}, {r, []resource.Ref{r}}, {[]resource.Ref{r, r}, []resource.Ref{r, r}},
		{nilRef, nil}, {nil, nil}, {"x", nil},
	}
	for _, c := range cases {
		if got := linkage(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("linkage(%#v) = %v, want %v", c.in, got, c.want)
		}
	}
}
