package test

import (
	"net/http"
	"reflect"
	"sort"
	"testing"
)

func includedIDs(t *testing.T, body map[string]any, typ string) []string {
	t.Helper()
	var out []string
	inc, _ := body["included"].([]any)
	for _, x := range inc {
		m := x.(map[string]any)
		if m["type"] == typ {
			out = append(out, m["id"].(string))
		}
	}
	sort.Strings(out)
	return out
}

func TestRelationships(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	bobTok := s.User(t, "Bob", "bob@example.test", "bob-password")
	_ = bobTok
	bob := dataOf(t, s.Do(t, http.MethodGet, "/api/user_account/mine", nil, bobTok))["id"].(string)
	proj := create(t, s, tok, "project", map[string]any{"name": "Apollo"}, nil)
	watched := create(t, s, tok, "project", map[string]any{"name": "Gemini"}, nil)
	tag1 := create(t, s, tok, "tag", map[string]any{"label": "a"}, nil)
	tag2 := create(t, s, tok, "tag", map[string]any{"label": "b"}, nil)
	todo := create(t, s, tok, "todo", map[string]any{"title": "T", "project_id": proj}, map[string]any{
		"assignee_id":     map[string]any{"data": map[string]any{"type": "user_account", "id": bob}},
		"tag_id":          map[string]any{"data": []any{map[string]any{"type": "tag", "id": tag1}}},
		"watcher_project": map[string]any{"data": []any{map[string]any{"type": "project", "id": watched}}},
	})

	// Includes for belongs_to, has_one, has_many and many-to-many, with both parameter names.
	for _, param := range []string{"include", "included_relations"} {
		r := s.Do(t, http.MethodGet, "/api/todo/"+todo+q(param, "project_id,assignee_id,tag_id,watcher_project"), nil, tok)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", param, r.Status, r.Body)
		}
		body := r.Map(t)
		if got := includedIDs(t, body, "project"); !reflect.DeepEqual(got, sortedIDs(proj, watched)) {
			t.Errorf("%s: included projects %v", param, got)
		}
		if got := includedIDs(t, body, "tag"); !reflect.DeepEqual(got, []string{tag1}) {
			t.Errorf("%s: included tags %v", param, got)
		}
		if got := includedIDs(t, body, "user_account"); !reflect.DeepEqual(got, []string{bob}) {
			t.Errorf("%s: included users %v", param, got)
		}
		rel := body["data"].(map[string]any)["relationships"].(map[string]any)
		if tags := rel["tag_id"].(map[string]any)["data"].([]any); len(tags) != 1 {
			t.Errorf("%s: tag_id linkage %v", param, tags)
		}
	}
	// Reverse relations: the project lists its todos, the tag its todos, the user its assigned todo.
	for _, c := range []struct{ path, want string }{
		{"/api/project/" + proj + "/todo_id", todo},
		{"/api/tag/" + tag1 + "/todo_id", todo},
		{"/api/project/" + watched + "/watched_todo", todo},
	} {
		r := s.Do(t, http.MethodGet, c.path, nil, tok)
		rows := listOf(t, r)
		if len(rows) != 1 || rows[0]["id"] != c.want {
			t.Errorf("%s: %s", c.path, r.Body)
		}
	}
	r := s.Do(t, http.MethodGet, "/api/user_account/"+bob+"/assigned_todo", nil, tok)
	if r.Status != http.StatusOK || dataOf(t, r)["id"] != todo {
		t.Errorf("has_one reverse: %d %s", r.Status, r.Body)
	}
	// To-one relation route and linkage.
	r = s.Do(t, http.MethodGet, "/api/todo/"+todo+"/project_id", nil, tok)
	if r.Status != http.StatusOK || dataOf(t, r)["id"] != proj {
		t.Errorf("to-one route: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, http.MethodGet, "/api/todo/"+todo+"/relationships/assignee_id", nil, tok)
	if d := dataOf(t, r); d["id"] != bob || d["type"] != "user_account" {
		t.Errorf("linkage: %s", r.Body)
	}

	// Many-to-many add (PATCH appends, POST appends) and remove.
	link := func(method string, ids ...string) {
		var data []any
		for _, id := range ids {
			data = append(data, map[string]any{"type": "tag", "id": id})
		}
		r := s.Do(t, method, "/api/todo/"+todo+"/relationships/tag_id", map[string]any{"data": data}, tok)
		if r.Status != http.StatusNoContent {
			t.Fatalf("%s tag link: %d %s", method, r.Status, r.Body)
		}
	}
	tagsOf := func() []string {
		var out []string
		for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/todo/"+todo+"/tag_id", nil, tok)) {
			out = append(out, row["id"].(string))
		}
		sort.Strings(out)
		return out
	}
	link(http.MethodPatch, tag2)
	if got := tagsOf(); !reflect.DeepEqual(got, sortedIDs(tag1, tag2)) {
		t.Errorf("after PATCH add: %v", got)
	}
	link(http.MethodDelete, tag1)
	if got := tagsOf(); !reflect.DeepEqual(got, []string{tag2}) {
		t.Errorf("after DELETE: %v", got)
	}
	link(http.MethodPost, tag1)
	if got := tagsOf(); !reflect.DeepEqual(got, sortedIDs(tag1, tag2)) {
		t.Errorf("after POST add: %v", got)
	}
	// Filter by relation.
	r = s.Do(t, http.MethodGet, "/api/todo"+q("tag_id", tag2), nil, tok)
	if rows := listOf(t, r); len(rows) != 1 {
		t.Errorf("relation filter: %s", r.Body)
	}

	// Clearing a to-one relation with data: null works (Daptin ignores it).
	r = s.Do(t, http.MethodPatch, "/api/todo/"+todo, map[string]any{"data": map[string]any{"type": "todo", "id": todo,
		"attributes": map[string]any{}, "relationships": map[string]any{"assignee_id": map[string]any{"data": nil}}}}, tok)
	if r.Status != http.StatusOK || attrs(dataOf(t, r))["assignee_id"] != nil {
		t.Errorf("clear to-one: %d %s", r.Status, r.Body)
	}
	// A required to-one cannot be cleared.
	r = s.Do(t, http.MethodPatch, "/api/todo/"+todo, map[string]any{"data": map[string]any{"type": "todo", "id": todo,
		"relationships": map[string]any{"project_id": map[string]any{"data": nil}}}}, tok)
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("clear required to-one: %d %s", r.Status, r.Body)
	}
	// Deleting a project that todos require is refused; the todo is intact.
	if r = s.Do(t, http.MethodDelete, "/api/project/"+proj, nil, tok); r.Status != http.StatusConflict {
		t.Errorf("delete referenced project: %d %s", r.Status, r.Body)
	}
	// Deleting a watched project removes the link only.
	if r = s.Do(t, http.MethodDelete, "/api/project/"+watched, nil, tok); r.Status != http.StatusOK {
		t.Errorf("delete watched project: %d %s", r.Status, r.Body)
	}
	if rows := listOf(t, s.Do(t, http.MethodGet, "/api/todo/"+todo+"/watcher_project", nil, tok)); len(rows) != 0 {
		t.Errorf("dangling watcher link: %v", rows)
	}
}

func sortedIDs(ids ...string) []string {
	sort.Strings(ids)
	return ids
}
