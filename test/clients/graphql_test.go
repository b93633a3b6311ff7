package clients

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const gqlSchema = `
Tables:
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: due, ColumnType: date, IsNullable: true}
`

// enableGraphQL switches GraphQL on as an administrator does: the
// graphql.enable setting, then a restart.
func enableGraphQL(t *testing.T, s *testserver.Server, admin string) {
	t.Helper()
	if r := s.Do(t, http.MethodPost, "/_config/backend/graphql.enable", "true", admin); r.Status != http.StatusOK {
		t.Fatalf("enable graphql: %d %s", r.Status, r.Body)
	}
	if r := action(t, s, "/action/world/restart_daptin", map[string]any{}, admin); r.Status != http.StatusOK {
		t.Fatalf("restart: %d %s", r.Status, r.Body)
	}
}

// gql posts one GraphQL request and returns data and error messages.
func gql(t *testing.T, s *testserver.Server, tok, query string, vars map[string]any) (map[string]any, []string) {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": query, "variables": vars}, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("graphql: %d %s", r.Status, r.Body)
	}
	var doc struct {
		Data   map[string]any
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("graphql answer: %v %s", err, r.Body)
	}
	var msgs []string
	for _, e := range doc.Errors {
		msgs = append(msgs, e.Message)
	}
	return doc.Data, msgs
}

// TestGraphQLTypesLikeDaptin: queries written against Daptin's GraphQL
// schema (its type names, argument names and nullability) validate and run.
func TestGraphQLTypesLikeDaptin(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", gqlSchema))
	admin := s.Admin(t)
	enableGraphQL(t, s, admin)
	ok := func(query string, vars map[string]any) map[string]any {
		t.Helper()
		data, errs := gql(t, s, admin, query, vars)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", query, errs)
		}
		return data
	}
	for _, title := range []string{"Buy milk", "Fix bike", "Pay rent"} {
		ok(`mutation($t: String!) { addTodo(title: $t, done: false) { reference_id } }`, map[string]any{"t": title})
	}
	// Daptin's input type names: page and [query]; objects have id: ID!.
	data := ok(`query($p: page, $q: [query]) { todo(page: $p, query: $q) { id reference_id title } }`, map[string]any{
		"p": map[string]any{"number": 1, "size": 2}, "q": []any{map[string]any{"column": "title", "operator": "like", "value": "%i%"}}})
	rows, _ := data["todo"].([]any)
	if len(rows) != 2 {
		t.Fatalf("todo page: %v", data)
	}
	first := rows[0].(map[string]any)
	if first["id"] != first["reference_id"] || first["id"] == nil {
		t.Errorf("id is the reference id: %v", first)
	}
	// Daptin types deleteX's reference_id as a nullable String.
	id := first["id"].(string)
	del := ok(`mutation Del($id: String) { deleteTodo(reference_id: $id) { reference_id } }`, map[string]any{"id": id})
	if del["deleteTodo"].(map[string]any)["reference_id"] != id {
		t.Errorf("deleteTodo: %v", del)
	}
	if _, errs := gql(t, s, admin, `mutation Del($id: String) { deleteTodo(reference_id: $id) { reference_id } }`, nil); len(errs) != 1 || !strings.Contains(errs[0], "400") {
		t.Errorf("deleteTodo without id: %v", errs)
	}
	// Actions answer [ActionResponse] with Attributes.
	sign := ok(`mutation($e: String!, $pw: String!) { executeSigninOnUserAccount(email: $e, password: $pw) { ResponseType Attributes { key value } } }`,
		map[string]any{"e": "admin@example.test", "pw": "admin-password"})
	resp, _ := sign["executeSigninOnUserAccount"].([]any)
	found := false
	for _, r := range resp {
		m := r.(map[string]any)
		if m["ResponseType"] == "client.store.set" {
			a := m["Attributes"].(map[string]any)
			found = a["key"] == "token" && strings.Count(a["value"].(string), ".") == 2
		}
	}
	if !found {
		t.Errorf("signin through GraphQL: %v", sign)
	}
	// Introspection: the argument types a Daptin client relies on.
	intro := ok(`{ __schema { mutationType { fields { name args { name type { kind name ofType { name } } } } } } }`, nil)
	want := map[string]string{
		"deleteTodo.reference_id": "String", "updateTodo.reference_id": "NON_NULL String", "addTodo.title": "NON_NULL String",
		"addTodo.due": "DateTime", "executeSigninOnUserAccount.email": "NON_NULL String",
	}
	fields := intro["__schema"].(map[string]any)["mutationType"].(map[string]any)["fields"].([]any)
	for _, f := range fields {
		fm := f.(map[string]any)
		for _, a := range fm["args"].([]any) {
			am := a.(map[string]any)
			key := fm["name"].(string) + "." + am["name"].(string)
			w, ok := want[key]
			if !ok {
				continue
			}
			typ := am["type"].(map[string]any)
			got, _ := typ["name"].(string)
			if typ["kind"] == "NON_NULL" {
				got = "NON_NULL " + typ["ofType"].(map[string]any)["name"].(string)
			}
			if got != w {
				t.Errorf("%s: %s, want %s", key, got, w)
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("arguments missing: %v", want)
	}
}
