package feed

import (
	"maps"
	"slices"
	"testing"
	"time"
)

func recs() []record {
	return []record{
		{table: "post", ref: "a", attrs: map[string]any{"title": "A", "score": int64(3), "tag": "x"}},
		{table: "post", ref: "b", attrs: map[string]any{"title": "B", "score": int64(10), "tag": "y"}},
	}
}

func TestTransformations(t *testing.T) {
	run := func(ops ...transformation) []record {
		t.Helper()
		out := recs()
		var err error
		for _, op := range ops {
			if out, err = op.apply(out); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	keys := func(r record) []string { return slices.Sorted(maps.Keys(r.attrs)) }

	out := run(transformation{"select", map[string]any{"Columns": []any{map[string]any{"ColumnName": "title"}, "tag"}}})
	if got := keys(out[0]); !slices.Equal(got, []string{"tag", "title"}) {
		t.Errorf("select: %q", got)
	}
	out = run(transformation{"drop", map[string]any{"Columns": "tag, score"}})
	if got := keys(out[1]); !slices.Equal(got, []string{"title"}) {
		t.Errorf("drop: %q", got)
	}
	out = run(transformation{"rename", map[string]any{"OldName": "tag", "NewName": "label"}},
		transformation{"duplicate", map[string]any{"ColumnName": "title", "NewColumnName": "name"}})
	if a := out[0].attrs; a["label"] != "x" || a["tag"] != nil || a["name"] != "A" || a["title"] != "A" {
		t.Errorf("rename+duplicate: %v", a)
	}
	for cmp, want := range map[string]string{">": "B", ">=": "AB", "<": "A", "<=": "AB", "==": "", "!=": "AB"} {
		out = run(transformation{"filter", map[string]any{"ColumnName": "score", "Comparator": cmp, "Value": 3.5}})
		if cmp == ">=" || cmp == "<=" {
			out = run(transformation{"filter", map[string]any{"ColumnName": "score", "Comparator": cmp, "Value": "3"}})
			if cmp == "<=" {
				want = "A"
			}
		}
		got := ""
		for _, r := range out {
			got += r.attrs["title"].(string)
		}
		if got != want {
			t.Errorf("filter score %s: %q, want %q", cmp, got, want)
		}
	}
	out = run(transformation{"filter", map[string]any{"ColumnName": "tag", "Comparator": "in", "Value": []any{"y", "z"}}})
	if len(out) != 1 || out[0].ref != "b" {
		t.Errorf("filter in: %v", out)
	}
	out = run(transformation{"filter", map[string]any{"ColumnName": "tag", "Comparator": "==", "Value": "x"}})
	if len(out) != 1 || out[0].ref != "a" {
		t.Errorf("filter ==: %v", out)
	}
	for _, bad := range []transformation{{"explode", nil}, {"filter", map[string]any{"Comparator": "~"}}} {
		if _, err := bad.apply(recs()); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestParseContract(t *testing.T) {
	c, err := parseContract(`{"RootEntityName":"post","QueryParams":{"sort":["-title"]}}`, "posts")
	if err != nil || c.RootEntityName != "post" || c.StreamName != "posts" || firstString(c.QueryParams["sort"]) != "-title" {
		t.Errorf("contract %+v %v", c, err)
	}
	if c, err = parseContract(map[string]any{"RootEntityName": "doc"}, "d"); err != nil || c.RootEntityName != "doc" {
		t.Errorf("object contract %+v %v", c, err)
	}
	if c, err = parseContract(nil, "transformed_user"); err != nil || c.RootEntityName != "user_account" || len(c.Transformations) != 3 {
		t.Errorf("builtin %+v %v", c, err)
	}
	for _, bad := range []any{"{", `{"Columns":[]}`, ""} {
		if _, err := parseContract(bad, "custom"); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestItemMapping(t *testing.T) {
	c := &config{link: "https://x.test", authorName: "Feed Author"}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	it := item(c, record{table: "page", ref: "r1", attrs: map[string]any{
		"name": "Named", "body": "Text", "url": "https://elsewhere.test/p", "author_name": "Row Author", "created_at": at.Format(time.RFC3339),
	}}, RSS)
	if it.Title != "Named" || it.Description != "Text" || it.Link.Href != "https://elsewhere.test/p" ||
		it.Author.Name != "Row Author" || it.Id != "r1" || !it.Created.Equal(at) {
		t.Errorf("item %+v", it)
	}
	it = item(c, record{attrs: map[string]any{"label": "L", "link": "https://l.test"}}, Atom)
	if it.Title != "L" || it.Id != "https://l.test" || it.Author.Name != "Feed Author" {
		t.Errorf("refless item %+v", it)
	}
	for v, want := range map[any]bool{nil: true, false: false, int64(1): true, "false": false, "junk": true} {
		if flag(v, true) != want {
			t.Errorf("flag(%v)", v)
		}
	}
}
