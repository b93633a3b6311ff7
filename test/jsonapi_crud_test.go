package test

import (
	"net/http"
	"strings"
	"testing"
)

func TestCRUDRoundTrip(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	proj := create(t, s, tok, "project", map[string]any{"name": "Apollo"}, nil)
	tag := create(t, s, tok, "tag", map[string]any{"label": "home"}, nil)

	r := s.Do(t, http.MethodPost, "/api/todo", doc("todo",
		map[string]any{"title": "Buy milk", "done": true, "due": "2026-12-01", "project_id": proj},
		map[string]any{"tag_id": map[string]any{"data": []any{map[string]any{"type": "tag", "id": tag}}}}), tok)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	d := dataOf(t, r)
	id := d["id"].(string)
	if loc := r.Header.Get("Location"); loc != "/api/todo/"+id {
		t.Errorf("Location %q", loc)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.api+json") {
		t.Errorf("Content-Type %q", ct)
	}
	a := attrs(d)
	want := map[string]any{"__type": "todo", "title": "Buy milk", "done": float64(1), "due": "2026-12-01T00:00:00Z",
		"priority": float64(1), "status": "open", "project_id": proj, "reference_id": id, "permission": float64(561441)}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("attribute %s = %#v, want %#v", k, a[k], v)
		}
	}
	if _, leaked := a["id"]; leaked {
		t.Error("internal id leaked")
	}
	if _, leaked := a["version"]; leaked {
		t.Error("version leaked")
	}
	rel := d["relationships"].(map[string]any)
	if pd := rel["project_id"].(map[string]any)["data"].(map[string]any); pd["id"] != proj || pd["type"] != "project" {
		t.Errorf("project_id relationship %v", pd)
	}
	if ad := rel["assignee_id"].(map[string]any)["data"]; ad != nil {
		t.Errorf("assignee_id relationship %v, want null", ad)
	}

	r = s.Do(t, http.MethodGet, "/api/todo/"+id, nil, tok)
	if r.Status != http.StatusOK || attrs(dataOf(t, r))["title"] != "Buy milk" {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}

	r = s.Do(t, http.MethodPatch, "/api/todo/"+id, map[string]any{"data": map[string]any{"type": "todo", "id": id,
		"attributes": map[string]any{"priority": 7, "title": "Buy oat milk"}}}, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	if a := attrs(dataOf(t, r)); a["priority"] != float64(7) || a["title"] != "Buy oat milk" || a["done"] != float64(1) {
		t.Errorf("patched attributes %v", a)
	}

	// The audit table kept the version before the change.
	r = s.Do(t, http.MethodGet, "/api/todo_audit"+q("query", `[{"column":"source_reference_id","operator":"is","value":"`+id+`"}]`), nil, tok)
	if rows := listOf(t, r); len(rows) != 1 || attrs(rows[0])["title"] != "Buy milk" || attrs(rows[0])["operation"] != "update" {
		t.Errorf("audit rows %s", r.Body)
	}

	r = s.Do(t, http.MethodDelete, "/api/todo/"+id, nil, tok)
	if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != `{"meta":null}` {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		if r = s.Do(t, m, "/api/todo/"+id, nil, tok); r.Status != http.StatusNotFound {
			t.Errorf("%s after delete: %d %s", m, r.Status, r.Body)
		}
	}
	// Deleting the todo removed its tag links but not the tag.
	if r = s.Do(t, http.MethodGet, "/api/tag/"+tag, nil, tok); r.Status != http.StatusOK {
		t.Errorf("tag after todo delete: %d", r.Status)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	proj := create(t, s, tok, "project", map[string]any{"name": "P"}, nil)
	create(t, s, tok, "tag", map[string]any{"label": "dup"}, nil)
	todo := create(t, s, tok, "todo", map[string]any{"title": "keep me", "project_id": proj}, nil)
	big := `{"data":{"type":"todo","attributes":{"title":"` + strings.Repeat("x", 11<<20) + `"}}}`

	scenarios := []struct {
		name, method, path string
		body               any
		status             int
		contains           string
	}{
		{"unknown table get", "GET", "/api/nosuchtable", nil, 404, "nosuchtable"},
		{"unknown table post", "POST", "/api/nosuchtable", doc("nosuchtable", map[string]any{}, nil), 404, ""},
		{"bad id", "GET", "/api/todo/not-a-uuid", nil, 400, ""},
		{"unknown id", "GET", "/api/todo/01a2077d-0000-7000-8000-000000000000", nil, 404, ""},
		{"invalid json", "POST", "/api/todo", `{"data":{"type":"todo","attributes":{"title":`, 400, ""},
		{"no data", "POST", "/api/todo", `{"foo":1}`, 400, ""},
		{"oversized body", "POST", "/api/todo", big, 413, ""},
		{"unknown attribute", "POST", "/api/todo", doc("todo", map[string]any{"title": "x", "project_id": proj, "nonsense": 1}, nil), 422, "nonsense"},
		{"missing required", "POST", "/api/todo", doc("todo", map[string]any{"project_id": proj}, nil), 422, "title"},
		{"int column gets text", "POST", "/api/todo", doc("todo", map[string]any{"title": "x", "project_id": proj, "priority": "high"}, nil), 422, "priority"},
		{"bad date", "POST", "/api/todo", doc("todo", map[string]any{"title": "x", "project_id": proj, "due": "next tuesday-ish"}, nil), 422, "due"},
		{"bad enum", "POST", "/api/todo", doc("todo", map[string]any{"title": "x", "project_id": proj, "status": "maybe"}, nil), 422, "status"},
		{"bad boolean", "POST", "/api/todo", doc("todo", map[string]any{"title": "x", "project_id": proj, "done": map[string]any{"a": 1}}, nil), 422, "done"},
		{"bad float", "POST", "/api/todo", doc("todo", map[string]any{"title": "x", "project_id": proj, "score": "lots"}, nil), 422, "score"},
		{"unknown fk target", "POST", "/api/todo", doc("todo", map[string]any{"title": "x", "project_id": "01a2077d-0000-7000-8000-000000000000"}, nil), 422, "project_id"},
		{"unique violation", "POST", "/api/tag", doc("tag", map[string]any{"label": "dup"}, nil), 409, ""},
		{"type mismatch", "POST", "/api/todo", doc("tag", map[string]any{"title": "x"}, nil), 409, ""},
		{"patch id mismatch", "PATCH", "/api/todo/" + todo, map[string]any{"data": map[string]any{"type": "todo", "id": proj, "attributes": map[string]any{"title": "y"}}}, 409, ""},
		{"unknown sort column", "GET", "/api/todo" + q("sort", "nosuch"), nil, 400, "nosuch"},
		{"unknown query column", "GET", "/api/todo" + q("query", `[{"column":"nosuch","operator":"is","value":1}]`), nil, 400, "nosuch"},
		{"unknown operator", "GET", "/api/todo" + q("query", `[{"column":"title","operator":"drop","value":1}]`), nil, 400, "drop"},
		{"bad query json", "GET", "/api/todo" + q("query", `[{"column":`), nil, 400, ""},
		{"bad page size", "GET", "/api/todo" + q("page[size]", "ten"), nil, 400, ""},
		{"unknown include", "GET", "/api/todo" + q("include", "nosuch"), nil, 400, "nosuch"},
		{"unknown relation route", "GET", "/api/todo/" + todo + "/nosuch", nil, 404, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := s.Do(t, sc.method, sc.path, sc.body, tok)
			if r.Status != sc.status {
				t.Fatalf("status %d, want %d: %.300s", r.Status, sc.status, r.Body)
			}
			if got := errorTitle(t, r); sc.contains != "" && !strings.Contains(got, sc.contains) {
				t.Errorf("error %q lacks %q", got, sc.contains)
			}
		})
	}
	// Nothing above wrote anything.
	r := s.Do(t, http.MethodGet, "/api/todo", nil, tok)
	if got := titles(t, r); len(got) != 1 || got[0] != "keep me" {
		t.Errorf("todos after bad input: %v", got)
	}
}

func TestValidateOnlyStoresNothing(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/project", strings.NewReader(`{"data":{"type":"project","attributes":{"name":"Ghost"}}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Validate-Only", "true")
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("validate-only create: %d", resp.StatusCode)
	}
	r := s.Do(t, http.MethodGet, "/api/project", nil, tok)
	if n := len(listOf(t, r)); n != 0 {
		t.Errorf("validate-only stored %d rows", n)
	}
	req, _ = http.NewRequest(http.MethodPost, s.URL+"/api/project", strings.NewReader(`{"data":{"type":"project","attributes":{"name":"x","bogus":1}}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Validate-Only", "true")
	if resp, err = s.Client.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("validate-only with a bad attribute: %d", resp.StatusCode)
	}
}
