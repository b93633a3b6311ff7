package test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// todoSchema exercises every relation kind: belongs_to (project_id),
// has_one (assignee_id), has_many (tag_id) and many-to-many (watcher).
const todoSchema = `
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: tag
    Columns:
      - {Name: label, ColumnType: label, IsUnique: true}
  - TableName: todo
    IsAuditEnabled: true
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: due, ColumnType: date, IsNullable: true}
      - {Name: status, ColumnType: enum, DefaultValue: "'open'", Options: [{Value: open, Label: Open}, {Value: closed, Label: Closed}]}
      - {Name: notes, ColumnType: content, IsNullable: true}
      - {Name: score, ColumnType: float, IsNullable: true}
Relations:
  - {Subject: todo, Relation: belongs_to, Object: project}
  - {Subject: todo, Relation: has_one, Object: user_account, ObjectName: assignee_id, SubjectName: assigned_todo}
  - {Subject: todo, Relation: has_many, Object: tag}
  - {Subject: todo, Relation: many_to_many, Object: project, ObjectName: watcher_project, SubjectName: watched_todo}
`

func startTodo(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema))
}

// doc builds a JSON:API request body.
func doc(typ string, attrs map[string]any, rels map[string]any) map[string]any {
	data := map[string]any{"type": typ, "attributes": attrs}
	if rels != nil {
		data["relationships"] = rels
	}
	return map[string]any{"data": data}
}

// create posts a row and returns its id, failing the test on any error.
func create(t *testing.T, s *testserver.Server, tok, typ string, attrs map[string]any, rels map[string]any) string {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/api/"+typ, doc(typ, attrs, rels), tok)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", typ, r.Status, r.Body)
	}
	return dataOf(t, r)["id"].(string)
}

func dataOf(t *testing.T, r testserver.Response) map[string]any {
	t.Helper()
	d, ok := r.Map(t)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object: %s", r.Body)
	}
	return d
}

func listOf(t *testing.T, r testserver.Response) []map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	raw, ok := r.Map(t)["data"].([]any)
	if !ok {
		t.Fatalf("no data list: %s", r.Body)
	}
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i] = x.(map[string]any)
	}
	return out
}

func attrs(row map[string]any) map[string]any { return row["attributes"].(map[string]any) }

func titles(t *testing.T, r testserver.Response) []string {
	t.Helper()
	var out []string
	for _, row := range listOf(t, r) {
		out = append(out, fmt.Sprint(attrs(row)["title"]))
	}
	return out
}

func q(params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	return "?" + v.Encode()
}

func errorTitle(t *testing.T, r testserver.Response) string {
	t.Helper()
	errs, ok := r.Map(t)["errors"].([]any)
	if !ok || len(errs) == 0 {
		t.Fatalf("no errors array: %s", r.Body)
	}
	e := errs[0].(map[string]any)
	return fmt.Sprint(e["title"]) + " " + fmt.Sprint(e["detail"])
}
