package integrations

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const streamSchema = `
Tables:
  - TableName: animal
    Columns:
      - {Name: name, ColumnType: label}
      - {Name: kind, ColumnType: label}
      - {Name: secret_note, ColumnType: label, IsNullable: true}
Streams:
  - StreamName: dog_names
    RootEntityName: animal
    Columns: []
    QueryParams: {sort: ["name"]}
    Transformations:
      - {Operation: select, Attributes: {Columns: [name, kind, secret_note]}}
      - {Operation: filter, Attributes: {ColumnName: kind, Comparator: "==", Value: dog}}
      - {Operation: drop, Attributes: {Columns: [secret_note]}}
      - {Operation: rename, Attributes: {OldName: name, NewName: dog_name}}
      - {Operation: duplicate, Attributes: {ColumnName: dog_name, NewColumnName: label}}
  - StreamName: animals_of_kind
    RootEntityName: animal
    Columns: []
    QueryParams:
      query: ['[{"column":"kind","operator":"is","value":"~kind"}]']
      sort: ["~order"]
    Transformations:
      - {Operation: select, Attributes: {Columns: [name, kind]}}
  - StreamName: animal_named
    RootEntityName: animal
    Columns: []
    QueryParams:
      query: ['[{"column":"name","operator":"is","value":"$name"}]']
    Transformations:
      - {Operation: select, Attributes: {Columns: [name]}}
`

// Streams are read-only transformed views at /api/{stream}: a stream of
// the schema files and the built-in transformed_user list through the
// caller's permissions; writes and single rows are 501.
func TestStreams(t *testing.T) {
	s := testserver.Start(t, testserver.WithSchema("schema_stream.yaml", streamSchema))
	admin := s.Admin(t)
	for _, a := range []map[string]any{{"name": "Rex", "kind": "dog", "secret_note": "x"}, {"name": "Tom", "kind": "cat", "secret_note": "y"}, {"name": "Ace", "kind": "dog", "secret_note": "z"}} {
		create(t, s, "animal", a, admin)
	}
	r := s.Do(t, http.MethodGet, "/api/dog_names", nil, admin)
	data := listOf(t, r)
	if len(data) != 2 {
		t.Fatalf("dog_names: %s", r.Body)
	}
	for i, want := range []string{"Ace", "Rex"} {
		d := data[i].(map[string]any)
		a := d["attributes"].(map[string]any)
		if d["type"] != "dog_names" || a["dog_name"] != want || a["label"] != want || a["kind"] != "dog" || len(a) != 3 {
			t.Errorf("dog_names[%d] = %v", i, d)
		}
	}
	if r = s.Do(t, http.MethodGet, "/api/dog_names?page[size]=1", nil, admin); len(listOf(t, r)) > 1 {
		t.Errorf("page[size]=1 gave %s", r.Body)
	}
	r = s.Do(t, http.MethodGet, "/api/transformed_user", nil, admin)
	if b := string(r.Body); r.Status != http.StatusOK || !strings.Contains(b, `"primary_email"`) || !strings.Contains(b, `"transformed_user_name"`) || strings.Contains(b, `"password"`) {
		t.Errorf("transformed_user: %d %s", r.Status, r.Body)
	}
	if r = s.Do(t, http.MethodPost, "/api/dog_names", map[string]any{"data": map[string]any{"type": "dog_names", "attributes": map[string]any{"dog_name": "x"}}}, admin); r.Status != http.StatusNotImplemented {
		t.Errorf("POST to a stream: %d %s", r.Status, r.Body)
	}
	if r = s.Do(t, http.MethodGet, "/api/dog_names/"+data[0].(map[string]any)["id"].(string), nil, admin); r.Status != http.StatusNotImplemented {
		t.Errorf("one row of a stream: %d %s", r.Status, r.Body)
	}
	if r = s.Do(t, http.MethodGet, "/api/no_such_thing", nil, admin); r.Status != http.StatusNotFound {
		t.Errorf("unknown name: %d %s", r.Status, r.Body)
	}
	// The caller's permissions hold: a plain user does not see the
	// administrator's row through the stream.
	adminEmail := ""
	for _, u := range listOf(t, s.Do(t, http.MethodGet, "/api/user_account", nil, admin)) {
		if e, _ := u.(map[string]any)["attributes"].(map[string]any)["email"].(string); e != "plain3@example.test" {
			adminEmail = e
		}
	}
	user := s.User(t, "Plain", "plain3@example.test", "plain-password")
	r = s.Do(t, http.MethodGet, "/api/transformed_user", nil, user)
	if adminEmail == "" || strings.Contains(string(r.Body), adminEmail) {
		t.Errorf("a plain user sees the administrator (%q) through the stream: %d %s", adminEmail, r.Status, r.Body)
	}
}

// TestStreamQueryParamsFromRequest: a stream's QueryParams values take
// request parameters through the action expression syntax (~name, $name),
// as Daptin's do; the value is data inside the stream's query, never
// syntax, and a $name the request lacks is a 400.
func TestStreamQueryParamsFromRequest(t *testing.T) {
	s := testserver.Start(t, testserver.WithSchema("schema_stream.yaml", streamSchema))
	admin := s.Admin(t)
	for _, a := range []map[string]any{{"name": "Rex", "kind": "dog"}, {"name": "Tom", "kind": "cat"}, {"name": "Ace", "kind": "dog"}, {"name": `x","operator":"like`, "kind": "odd"}} {
		create(t, s, "animal", a, admin)
	}
	names := func(path string) []string {
		t.Helper()
		r := s.Do(t, http.MethodGet, path, nil, admin)
		var out []string
		for _, d := range listOf(t, r) {
			out = append(out, d.(map[string]any)["attributes"].(map[string]any)["name"].(string))
		}
		return out
	}
	for _, c := range []struct {
		path string
		want string
	}{
		{"/api/animals_of_kind?kind=dog&order=name", "Ace,Rex"},
		{"/api/animals_of_kind?kind=dog&order=-name", "Rex,Ace"},
		{"/api/animals_of_kind?kind=cat", "Tom"},
		{"/api/animals_of_kind?kind=bird", ""},
		{"/api/animals_of_kind?kind=" + url.QueryEscape(`dog","operator":"isnot`), ""},
		{"/api/animal_named?name=Rex", "Rex"},
		{"/api/animal_named?name=" + url.QueryEscape(`x","operator":"like`), `x","operator":"like`},
	} {
		if got := strings.Join(names(c.path), ","); got != c.want {
			t.Errorf("%s: %q, want %q", c.path, got, c.want)
		}
	}
	r := s.Do(t, http.MethodGet, "/api/animal_named", nil, admin)
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "$name") {
		t.Errorf("$name missing from the request: %d %s", r.Status, r.Body)
	}
	// The caller's permissions still hold: a guest lists nothing.
	if r = s.Do(t, http.MethodGet, "/api/animals_of_kind?kind=dog", nil, ""); r.Status == http.StatusOK && len(listOf(t, r)) != 0 {
		t.Errorf("guest: %d %s", r.Status, r.Body)
	}
}
