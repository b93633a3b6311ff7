package clients

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const todoSchema = `
Tables:
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
`

// TestSparseFieldsets: fields[type] names must be attributes or
// relationships of the type (400 naming the parameter otherwise), and the
// answer's own type is trimmed to them.
func TestSparseFieldsets(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema))
	admin := s.Admin(t)
	a := api{t, s}
	id := a.create(admin, "todo", map[string]any{"title": "Buy milk"})

	for _, c := range []struct{ query, param, detail string }{
		{"fields[todo]=nope", "fields[todo]", `"nope" is not a field of todo`},
		{"fields[todo]=title,nope", "fields[todo]", `"nope" is not a field of todo`},
		{"fields[nothing]=title", "fields[nothing]", `"nothing" is not a type`},
		{"fields[user_account]=password_hash", "fields[user_account]", `"password_hash" is not a field of user_account`},
	} {
		for _, path := range []string{"/api/todo?", "/api/todo/" + id + "?"} {
			r := s.Do(t, http.MethodGet, path+c.query, nil, admin)
			want := `{"errors":[{"status":"400","code":"API2GO_INVALID_FIELD_QUERY_PARAM","title":"invalid fields parameter","detail":` +
				quoteJSON(c.detail) + `,"source":{"parameter":"` + c.param + `"}}]}`
			if r.Status != http.StatusBadRequest || strings.TrimSpace(string(r.Body)) != want {
				t.Errorf("%s%s: %d %s\nwant %s", path, c.query, r.Status, r.Body, want)
			}
		}
	}
	keys := func(obj map[string]any) string {
		var out []string
		for k := range obj["attributes"].(map[string]any) {
			out = append(out, k)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	const want = "__type,permission,reference_id,title,user_account_id"
	rows := list(t, s.Do(t, http.MethodGet, "/api/todo?fields[todo]=title", nil, admin))
	if len(rows) != 1 || keys(rows[0]) != want || attr(rows[0], "title") != "Buy milk" {
		t.Errorf("list with fields[todo]=title: %v", rows)
	}
	one := s.Do(t, http.MethodGet, "/api/todo/"+id+"?fields[todo]=title&fields[user_account]=email", nil, admin)
	data, _ := one.Map(t)["data"].(map[string]any)
	if one.Status != http.StatusOK || keys(data) != want {
		t.Errorf("get with fields[todo]=title: %d %s", one.Status, one.Body)
	}
	// A relationship name is a field too.
	if r := s.Do(t, http.MethodGet, "/api/todo?fields[todo]=title,usergroup_id", nil, admin); r.Status != http.StatusOK {
		t.Errorf("relationship in fieldset: %d %s", r.Status, r.Body)
	}
}

func quoteJSON(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
