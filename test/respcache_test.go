package test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// Reads are answered from the response cache while nothing changed; every
// kind of committed change that can alter an answer shows at once on the
// same URL, and callers never see each other's cached answers.
func TestReadCacheNeverStale(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	carol := s.User(t, "Carol", "carol@example.test", "carol-password")
	const ownerOnly, ownerAllGuestRead = 127 << 7, 127<<7 | 2

	proj := create(t, s, bob, "project", map[string]any{"name": "Apollo"}, nil)
	list := func(tok string) []string {
		t.Helper()
		out := titles(t, s.Do(t, http.MethodGet, "/api/todo?sort=title", nil, tok))
		slices.Sort(out)
		return out
	}
	if got := list(bob); len(got) != 0 {
		t.Fatalf("empty table lists %v", got)
	}
	list(bob) // now cached

	// A create shows on the cached URL.
	id := create(t, s, bob, "todo", map[string]any{"title": "private", "project_id": proj}, nil)
	mustPatch(t, s, bob, "todo", id, map[string]any{"permission": ownerOnly})
	if got := list(bob); !slices.Equal(got, []string{"private"}) {
		t.Fatalf("after create bob lists %v", got)
	}
	// Same URL, another caller: no row of bob's.
	if got := list(carol); len(got) != 0 {
		t.Fatalf("carol sees bob's private row: %v", got)
	}
	list(carol)

	// A permission change shows to the other caller on her cached URL.
	mustPatch(t, s, bob, "todo", id, map[string]any{"permission": ownerAllGuestRead})
	if got := list(carol); !slices.Equal(got, []string{"private"}) {
		t.Fatalf("after sharing carol lists %v", got)
	}

	// An update shows on a cached get.
	get := func() string {
		t.Helper()
		r := s.Do(t, http.MethodGet, "/api/todo/"+id, nil, bob)
		return attrs(dataOf(t, r))["title"].(string)
	}
	get()
	mustPatch(t, s, bob, "todo", id, map[string]any{"title": "renamed"})
	if got := get(); got != "renamed" {
		t.Fatalf("cached get after update: %q", got)
	}

	// A change one relation away shows in related and included rows.
	related := func() string {
		t.Helper()
		r := s.Do(t, http.MethodGet, "/api/todo/"+id+"/project_id", nil, bob)
		return attrs(dataOf(t, r))["name"].(string)
	}
	included := func() string {
		t.Helper()
		r := s.Do(t, http.MethodGet, "/api/todo/"+id+"?include=project_id", nil, bob)
		inc, _ := r.Map(t)["included"].([]any)
		if len(inc) != 1 {
			t.Fatalf("included: %s", r.Body)
		}
		return attrs(inc[0].(map[string]any))["name"].(string)
	}
	related()
	included()
	mustPatch(t, s, bob, "project", proj, map[string]any{"name": "Artemis"})
	if got := related(); got != "Artemis" {
		t.Errorf("cached related row after its update: %q", got)
	}
	if got := included(); got != "Artemis" {
		t.Errorf("cached included row after its update: %q", got)
	}

	// A delete shows at once.
	if r := s.Do(t, http.MethodDelete, "/api/todo/"+id, nil, bob); r.Status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/api/todo/"+id, nil, bob); r.Status != http.StatusNotFound {
		t.Errorf("cached get after delete: %d %s", r.Status, r.Body)
	}
	if got := list(carol); len(got) != 0 {
		t.Errorf("cached list after delete: %v", got)
	}
}

// Aggregate answers are cached too, and a write to a joined table that is
// not related to the entity still moves the answer.
func TestAggregateCacheFollowsJoins(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema),
		testserver.WithSchema("schema_note.yaml", "Tables:\n  - TableName: note\n    Columns:\n      - {Name: label, ColumnType: label}\n"))
	tok := s.Admin(t)
	proj := create(t, s, tok, "project", map[string]any{"name": "Apollo"}, nil)
	create(t, s, tok, "todo", map[string]any{"title": "alpha", "project_id": proj}, nil)
	agg := func(params ...string) []map[string]any {
		t.Helper()
		return aggRows(t, s.Do(t, http.MethodGet, "/aggregate/todo"+q(params...), nil, tok), "todo")
	}
	count := func() any { return agg("column", "count")[0]["count"] }
	if got := count(); got != float64(1) {
		t.Fatalf("count = %v", got)
	}
	count()
	create(t, s, tok, "todo", map[string]any{"title": "beta", "project_id": proj}, nil)
	if got := count(); got != float64(2) {
		t.Errorf("cached count after a create = %v, want 2", got)
	}

	joined := func() []any {
		t.Helper()
		var labels []any
		for _, row := range agg("column", "count", "group", "note.label", "join", "note@eq(note.label,todo.title)") {
			labels = append(labels, row["note.label"])
		}
		return labels
	}
	if got := joined(); len(got) != 1 || got[0] != nil {
		t.Fatalf("joined labels before any note: %v", got)
	}
	joined()
	create(t, s, tok, "note", map[string]any{"label": "alpha"}, nil)
	if got := joined(); len(got) != 2 {
		t.Errorf("cached joined aggregate after a write to the joined table: %v", got)
	}
}
