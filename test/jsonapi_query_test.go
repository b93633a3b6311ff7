package test

import (
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// seedTodos makes five todos in one project and returns the project id.
func seedTodos(t *testing.T, s *testserver.Server, tok string) string {
	t.Helper()
	proj := create(t, s, tok, "project", map[string]any{"name": "Apollo"}, nil)
	for _, td := range []map[string]any{
		{"title": "Buy milk", "priority": 3, "done": false, "due": "2026-12-01", "notes": "dairy"},
		{"title": "Write report", "priority": 5, "done": true, "due": "2026-11-30"},
		{"title": "Call mom", "priority": 1, "done": false},
		{"title": "Pay rent", "priority": 5, "done": true, "due": "2026-12-05", "status": "closed"},
		{"title": "Fix bike", "priority": 2, "done": false, "due": "2026-12-10", "notes": "spokes"},
	} {
		td["project_id"] = proj
		create(t, s, tok, "todo", td, nil)
	}
	return proj
}

func sorted(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

func TestFilterOperators(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	seedTodos(t, s, tok)
	scenarios := []struct {
		name, query string
		want        []string
	}{
		{"is", `[{"column":"title","operator":"is","value":"Call mom"}]`, []string{"Call mom"}},
		{"eq number", `[{"column":"priority","operator":"eq","value":5}]`, []string{"Pay rent", "Write report"}},
		{"not", `[{"column":"priority","operator":"not","value":5}]`, []string{"Buy milk", "Call mom", "Fix bike"}},
		{"lt", `[{"column":"priority","operator":"lt","value":3}]`, []string{"Call mom", "Fix bike"}},
		{"lte", `[{"column":"priority","operator":"lte","value":3}]`, []string{"Buy milk", "Call mom", "Fix bike"}},
		{"gt", `[{"column":"priority","operator":"gt","value":3}]`, []string{"Pay rent", "Write report"}},
		{"gte", `[{"column":"priority","operator":"gte","value":3}]`, []string{"Buy milk", "Pay rent", "Write report"}},
		{"before date", `[{"column":"due","operator":"before","value":"2026-12-02"}]`, []string{"Buy milk", "Write report"}},
		{"after date", `[{"column":"due","operator":"after","value":"2026-12-04"}]`, []string{"Fix bike", "Pay rent"}},
		{"in", `[{"column":"priority","operator":"in","value":[1,2]}]`, []string{"Call mom", "Fix bike"}},
		{"notin", `[{"column":"priority","operator":"notin","value":[1,2,5]}]`, []string{"Buy milk"}},
		{"like", `[{"column":"title","operator":"like","value":"%i%"}]`, []string{"Buy milk", "Fix bike", "Write report"}},
		{"contains keeps caller wildcards", `[{"column":"title","operator":"contains","value":"milk"}]`, nil},
		{"contains with wildcards", `[{"column":"title","operator":"contains","value":"%milk%"}]`, []string{"Buy milk"}},
		{"begins with", `[{"column":"title","operator":"begins with","value":"Pay%"}]`, []string{"Pay rent"}},
		{"not like", `[{"column":"title","operator":"not like","value":"%i%"}]`, []string{"Call mom", "Pay rent"}},
		{"ilike", `[{"column":"title","operator":"ilike","value":"%CALL%"}]`, []string{"Call mom"}},
		{"is true", `[{"column":"done","operator":"is true","value":""}]`, []string{"Pay rent", "Write report"}},
		{"is false", `[{"column":"done","operator":"is false","value":""}]`, []string{"Buy milk", "Call mom", "Fix bike"}},
		{"is empty", `[{"column":"due","operator":"is empty","value":""}]`, []string{"Call mom"}},
		{"not empty", `[{"column":"notes","operator":"not empty","value":""}]`, []string{"Buy milk", "Fix bike"}},
		{"is null value", `[{"column":"notes","operator":"is","value":null}]`, []string{"Call mom", "Pay rent", "Write report"}},
		{"enum", `[{"column":"status","operator":"is","value":"closed"}]`, []string{"Pay rent"}},
		{"fuzzy_any", `[{"column":"title,notes","operator":"fuzzy_any","value":"SPOKES mom"}]`, []string{"Call mom", "Fix bike"}},
		{"fuzzy_all", `[{"column":"title,notes","operator":"fuzzy_all","value":"buy dairy"}]`, []string{"Buy milk"}},
		{"and", `[{"column":"priority","operator":"eq","value":5},{"column":"status","operator":"is","value":"open"}]`, []string{"Write report"}},
		{"logical group or", `[{"column":"priority","operator":"eq","value":1,"logical_group":"g"},{"column":"priority","operator":"eq","value":2,"logical_group":"g"}]`, []string{"Call mom", "Fix bike"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := s.Do(t, http.MethodGet, "/api/todo"+q("query", sc.query, "page[size]", "100"), nil, tok)
			got := sorted(titles(t, r))
			if len(got) != len(sc.want) || (len(got) > 0 && !reflect.DeepEqual(got, sc.want)) {
				t.Errorf("got %v, want %v", got, sc.want)
			}
			if total := r.Map(t)["links"].(map[string]any)["total"]; total != float64(len(sc.want)) {
				t.Errorf("links.total %v, want %d", total, len(sc.want))
			}
		})
	}
	// filter= keyword search over indexed name-like columns.
	r := s.Do(t, http.MethodGet, "/api/todo"+q("filter", "MILK"), nil, tok)
	if got := titles(t, r); !reflect.DeepEqual(got, []string{"Buy milk"}) {
		t.Errorf("filter=MILK: %v", got)
	}
}

func TestSortAndPagination(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	seedTodos(t, s, tok)
	get := func(params ...string) testserver.Response {
		return s.Do(t, http.MethodGet, "/api/todo"+q(params...), nil, tok)
	}
	if got := titles(t, get("sort", "-priority,title")); !reflect.DeepEqual(got[:3], []string{"Pay rent", "Write report", "Buy milk"}) {
		t.Errorf("sort -priority,title: %v", got)
	}
	if got := titles(t, get("sort", "priority,-title")); !reflect.DeepEqual(got[:2], []string{"Call mom", "Fix bike"}) {
		t.Errorf("sort priority,-title: %v", got)
	}
	if got := titles(t, get()); got[0] != "Fix bike" {
		t.Errorf("default order (-created_at): %v", got)
	}
	links := func(r testserver.Response) map[string]any { return r.Map(t)["links"].(map[string]any) }
	// Middle page.
	r := get("page[size]", "2", "page[number]", "2", "sort", "title")
	l := links(r)
	if !reflect.DeepEqual(titles(t, r), []string{"Fix bike", "Pay rent"}) || l["total"] != float64(5) || l["last_page"] != float64(3) ||
		l["from"] != float64(2) || l["to"] != float64(4) || l["current_page"] != float64(2) || l["per_page"] != float64(2) {
		t.Errorf("page 2: %v %v", titles(t, r), l)
	}
	if !strings.HasPrefix(l["next_page_url"].(string), "//api/todo?") || !strings.Contains(l["next_page_url"].(string), "page[number]=3") {
		t.Errorf("next_page_url %v", l["next_page_url"])
	}
	// Last page is short.
	r = get("page[size]", "2", "page[number]", "3", "sort", "title")
	if got := titles(t, r); !reflect.DeepEqual(got, []string{"Write report"}) {
		t.Errorf("last page %v", got)
	}
	if _, ok := links(r)["next_page_url"]; ok {
		t.Errorf("last page has next_page_url: %v", links(r))
	}
	// Beyond the end.
	r = get("page[size]", "2", "page[number]", "9")
	if n := len(listOf(t, r)); n != 0 || links(r)["total"] != float64(5) {
		t.Errorf("beyond the end: %d rows, links %v", n, links(r))
	}
	// Size 0 is treated as 1, like Daptin.
	if n := len(listOf(t, get("page[size]", "0"))); n != 1 {
		t.Errorf("page[size]=0 gave %d rows", n)
	}
	// Above the maximum is capped, not an error.
	if r = get("page[size]", "100000"); r.Status != http.StatusOK || len(listOf(t, r)) != 5 {
		t.Errorf("huge page size: %d", r.Status)
	}
	// Sparse fields keep the always-returned attributes.
	row := listOf(t, get("fields", "title"))[0]
	if a := attrs(row); a["title"] == nil || a["reference_id"] == nil || a["priority"] != nil {
		t.Errorf("fields=title attributes %v", a)
	}
}
