package test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/graphql"
	"github.com/apiary/apiary/server/jsonapi"
	"github.com/apiary/apiary/test/testserver"
)

// gqlEnv serves /graphql (and /api, for comparisons) in-process over a
// running test server's resource layer, behind a small bearer-token
// authenticator, so the tests do not depend on how the router mounts it.
type gqlEnv struct {
	s       *testserver.Server
	h       http.Handler
	enabled atomic.Bool
}

func newGQLEnv(t testing.TB, s *testserver.Server) *gqlEnv {
	t.Helper()
	e := &gqlEnv{s: s}
	e.enabled.Store(true)
	res := func() resource.Service { return s.Srv.Resource() }
	exec := actions.New(actions.Options{Res: res, Issuer: s.Srv.Issuer(), Config: s.Srv.ConfigStore()})
	gql := graphql.New(graphql.Deps{Res: res, Enabled: e.enabled.Load,
		Exec: func(ctx context.Context, typ, name string, attrs map[string]any) (any, error) {
			return exec.Execute(ctx, typ, name, attrs)
		}})
	r := chi.NewRouter()
	r.Handle("/graphql", gql)
	r.Route("/api", func(r chi.Router) { jsonapi.Mount(r, jsonapi.Deps{Res: res}) })
	e.h = bearer(t, s, r)
	return e
}

// bearer puts the token's principal on the request context.
func bearer(t testing.TB, s *testserver.Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if tok != "" {
			claims, err := s.Srv.Issuer().Verify(tok)
			if err != nil {
				t.Errorf("bad test token: %v", err)
				return
			}
			p, err := s.Srv.Resource().PrincipalByEmail(r.Context(), claims.Email)
			if err != nil {
				t.Errorf("token user: %v", err)
				return
			}
			r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

// raw sends one request to the in-process handler.
func (e *gqlEnv) raw(method, path, contentType string, body []byte, tok string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// gql posts a query and decodes the answer, which must be a 200.
func (e *gqlEnv) gql(t testing.TB, tok, query string, vars map[string]any) (data map[string]any, errs []string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	w := e.raw(http.MethodPost, "/graphql", "application/json", body, tok)
	if w.Code != http.StatusOK {
		t.Fatalf("graphql %q: %d %s", query, w.Code, w.Body)
	}
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("graphql answer is not JSON: %s", w.Body)
	}
	for _, e := range out.Errors {
		errs = append(errs, e.Message)
	}
	return out.Data, errs
}

// ok is gql for queries that must not fail.
func (e *gqlEnv) ok(t testing.TB, tok, query string, vars map[string]any) map[string]any {
	t.Helper()
	data, errs := e.gql(t, tok, query, vars)
	if len(errs) > 0 {
		t.Fatalf("graphql %q: %v", query, errs)
	}
	return data
}

func list(t testing.TB, v any) []map[string]any {
	t.Helper()
	raw, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list: %#v", v)
	}
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func TestGraphQLNestedRelations(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	e := newGQLEnv(t, s)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	proj := create(t, s, tok, "project", map[string]any{"name": "Home"}, nil)
	tag := create(t, s, tok, "tag", map[string]any{"label": "urgent"}, nil)
	create(t, s, tok, "todo", map[string]any{"title": "a linked"}, map[string]any{
		"project_id": map[string]any{"data": map[string]any{"type": "project", "id": proj}},
		"tag_id":     map[string]any{"data": []any{map[string]any{"type": "tag", "id": tag}}},
	})
	create(t, s, tok, "todo", map[string]any{"title": "b alone"}, map[string]any{
		"project_id": map[string]any{"data": map[string]any{"type": "project", "id": proj}}})

	data := e.ok(t, tok, `{ todo(sort: "title") { title done project_id { name reference_id } assignee_id { email } tag_id { label } } }`, nil)
	rows := list(t, data["todo"])
	if len(rows) != 2 {
		t.Fatalf("want 2 todos, got %v", rows)
	}
	if p, _ := rows[0]["project_id"].(map[string]any); p == nil || p["name"] != "Home" || p["reference_id"] != proj {
		t.Errorf("linked todo project = %#v", rows[0]["project_id"])
	}
	if tags := list(t, rows[0]["tag_id"]); len(tags) != 1 || tags[0]["label"] != "urgent" {
		t.Errorf("linked todo tags = %#v", rows[0]["tag_id"])
	}
	if rows[1]["assignee_id"] != nil || rows[0]["assignee_id"] != nil {
		t.Errorf("a missing to-one relation must be null: %#v", rows)
	}
	if tags := list(t, rows[1]["tag_id"]); len(tags) != 0 {
		t.Errorf("todo without tags: %#v", tags)
	}
	if rows[0]["done"] != false {
		t.Errorf("truefalse must be a boolean, got %#v", rows[0]["done"])
	}

	// Two levels deep, by id, and through a fragment.
	one := e.ok(t, tok, `query($id: String!) { projectById(reference_id: $id) { name } todo(filter: "linked") { ...T } }
		fragment T on todo { title project_id { name } }`, map[string]any{"id": proj})
	if one["projectById"].(map[string]any)["name"] != "Home" {
		t.Errorf("projectById = %#v", one["projectById"])
	}
	if got := list(t, one["todo"]); len(got) != 1 || got[0]["project_id"].(map[string]any)["name"] != "Home" {
		t.Errorf("fragment query = %#v", one["todo"])
	}
	deep := e.ok(t, tok, `{ tag { label todo_id { title project_id { name } } } }`, nil)
	if tags := list(t, deep["tag"]); len(tags) != 1 {
		t.Errorf("tag list = %#v", deep["tag"])
	}
}

func TestGraphQLFilteredList(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	e := newGQLEnv(t, s)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	proj := projectRel(t, s, tok)
	for i, title := range []string{"pay rent", "fix bike", "write report"} {
		create(t, s, tok, "todo", map[string]any{"title": title, "done": i != 1, "priority": i}, proj)
	}
	scenarios := []struct {
		name, query string
		want        []string
	}{
		{"query list", `{ todo(query: [{column: "done", operator: "is", value: true}], sort: "title") { title } }`, []string{"pay rent", "write report"}},
		{"query like", `{ todo(query: [{column: "title", operator: "like", value: "%bike%"}]) { title } }`, []string{"fix bike"}},
		{"keyword", `{ todo(filter: "rent") { title } }`, []string{"pay rent"}},
		{"sort desc and page", `{ todo(sort: "-priority", page: {number: 1, size: 2}) { title } }`, []string{"write report", "fix bike"}},
		{"second page", `{ todo(sort: "-priority", page: {number: 2, size: 2}) { title } }`, []string{"pay rent"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			var got []string
			for _, r := range list(t, e.ok(t, tok, sc.query, nil)["todo"]) {
				got = append(got, r["title"].(string))
			}
			if strings.Join(got, "|") != strings.Join(sc.want, "|") {
				t.Errorf("got %v, want %v", got, sc.want)
			}
		})
	}
	if _, errs := e.gql(t, tok, `{ todo(query: [{column: "nope", operator: "is", value: 1}]) { title } }`, nil); len(errs) != 1 || !strings.Contains(errs[0], "400") {
		t.Errorf("unknown column: %v", errs)
	}
}

func TestGraphQLMutations(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	e := newGQLEnv(t, s)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	proj := create(t, s, tok, "project", map[string]any{"name": "Home"}, nil)

	added := e.ok(t, tok, `mutation($p: String) { addTodo(title: "From GraphQL", done: false, due: "2026-12-24", project_id: $p) { reference_id title done due project_id { name } } }`,
		map[string]any{"p": proj})["addTodo"].(map[string]any)
	id, _ := added["reference_id"].(string)
	if id == "" || added["due"] != "2026-12-24T00:00:00Z" || added["done"] != false {
		t.Fatalf("addTodo = %#v", added)
	}
	if p, _ := added["project_id"].(map[string]any); p == nil || p["name"] != "Home" {
		t.Errorf("added todo project = %#v", added["project_id"])
	}
	upd := e.ok(t, tok, `mutation($id: String!) { updateTodo(reference_id: $id, done: true, due: "2027-01-02T10:30:00Z") { title done due } }`,
		map[string]any{"id": id})["updateTodo"].(map[string]any)
	if upd["done"] != true || upd["title"] != "From GraphQL" || upd["due"] != "2027-01-02T00:00:00Z" {
		t.Errorf("updateTodo = %#v", upd)
	}
	del := e.ok(t, tok, `mutation($id: String!) { deleteTodo(reference_id: $id) { reference_id title } }`, map[string]any{"id": id})["deleteTodo"].(map[string]any)
	if del["reference_id"] != id || del["title"] != "From GraphQL" {
		t.Errorf("deleteTodo = %#v", del)
	}
	data, errs := e.gql(t, tok, `query($id: String!) { todoById(reference_id: $id) { title } }`, map[string]any{"id": id})
	if data["todoById"] != nil || len(errs) != 1 || !strings.Contains(errs[0], "404") {
		t.Errorf("deleted row: data %v errors %v", data, errs)
	}
	if _, errs := e.gql(t, tok, `mutation($p: String) { addTodo(title: "x", due: "24/12/2026", project_id: $p) { title } }`, map[string]any{"p": proj}); len(errs) != 1 || !strings.Contains(errs[0], "DateTime") {
		t.Errorf("bad date: %v", errs)
	}
}

func TestGraphQLActionMutation(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	e := newGQLEnv(t, s)
	data := e.ok(t, "", `mutation { executeSignupOnUserAccount(name: "Bea", email: "bea@example.test", password: "bea-password", passwordConfirm: "bea-password") { ResponseType Attributes { message } } }`, nil)
	out := list(t, data["executeSignupOnUserAccount"])
	if len(out) == 0 || out[0]["ResponseType"] == nil {
		t.Fatalf("signup responses = %#v", data)
	}
	tok := s.SignIn(t, "bea@example.test", "bea-password")
	signin := e.ok(t, "", `mutation { executeSigninOnUserAccount(email: "bea@example.test", password: "bea-password") { ResponseType Attributes { key value } } }`, nil)
	if !strings.Contains(mustJSON(t, signin), "client.store.set") {
		t.Errorf("signin through GraphQL: %s", mustJSON(t, signin))
	}
	_, errs := e.gql(t, tok, `mutation { executeSigninOnUserAccount(email: "bea@example.test", password: "wrong") { ResponseType } }`, nil)
	if len(errs) != 1 {
		t.Errorf("wrong password must be a GraphQL error: %v", errs)
	}
}

// projectRel creates a project and returns the relationships object that
// links a todo to it (todo belongs_to project is required).
func projectRel(t *testing.T, s *testserver.Server, tok string) map[string]any {
	t.Helper()
	proj := create(t, s, tok, "project", map[string]any{"name": "Home"}, nil)
	return map[string]any{"project_id": map[string]any{"data": map[string]any{"type": "project", "id": proj}}}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGraphQLPermissionDenied(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	e := newGQLEnv(t, s)
	admin := s.Admin(t)
	proj := create(t, s, admin, "project", map[string]any{"name": "Admin's"}, nil)
	e.ok(t, admin, `mutation($p: String) { addTodo(title: "admin's", project_id: $p) { reference_id } }`, map[string]any{"p": proj})
	data, errs := e.gql(t, "", `mutation($p: String) { addTodo(title: "guest", project_id: $p) { reference_id } }`, map[string]any{"p": proj})
	if data["addTodo"] != nil || len(errs) != 1 || !strings.Contains(errs[0], "403") || !strings.Contains(errs[0], "permission denied") {
		t.Fatalf("guest addTodo: data %v errors %v", data, errs)
	}
	guest, _ := e.gql(t, "", `{ todo { title } }`, nil)
	if rows, _ := guest["todo"].([]any); len(rows) != 0 {
		t.Errorf("guest sees %v", guest["todo"])
	}
}

func TestGraphQLSchemaChangeIsLive(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	e := newGQLEnv(t, s)
	tok := s.Admin(t)
	if _, errs := e.gql(t, tok, `{ gadget { label } }`, nil); len(errs) == 0 {
		t.Fatal("gadget must not exist yet")
	}
	file := filepath.Join(s.Dir, "schema_gadget.yaml")
	if err := os.WriteFile(file, []byte("Tables:\n  - TableName: gadget\n    Columns:\n      - {Name: label, ColumnType: label}\n      - {Name: since, ColumnType: date, IsNullable: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.ok(t, tok, `mutation { addGadget(label: "spanner", since: "2026-12-24") { reference_id } }`, nil)
	got := list(t, e.ok(t, tok, `{ gadget { label since } }`, nil)["gadget"])
	if len(got) != 1 || got[0]["label"] != "spanner" || got[0]["since"] != "2026-12-24T00:00:00Z" {
		t.Errorf("gadget = %#v", got)
	}
}

func TestGraphQLTransport(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	e := newGQLEnv(t, s)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	create(t, s, tok, "todo", map[string]any{"title": "one"}, projectRel(t, s, tok))
	get := "/graphql?" + url.Values{"query": {"{todo{title}}"}}.Encode()
	scenarios := []struct {
		name, method, path, ct, body string
		status                       int
		contains                     string
	}{
		{"GET query", http.MethodGet, get, "", "", 200, `{"data":{"todo":[{"title":"one"}]}}`},
		{"application/graphql", http.MethodPost, "/graphql", "application/graphql", "{todo{title}}", 200, `"title":"one"`},
		{"unknown field", http.MethodPost, "/graphql", "application/json", `{"query":"{ todo { colour } }"}`, 200, `Cannot query field`},
		{"syntax error", http.MethodPost, "/graphql", "application/json", `{"query":"{ todo { title "}`, 400, `Syntax Error`},
		{"no query", http.MethodPost, "/graphql", "application/json", `{"variables":{}}`, 400, `no query`},
		{"bad JSON", http.MethodPost, "/graphql", "application/json", `{"query":`, 400, `JSON`},
		{"PUT", http.MethodPut, "/graphql", "application/json", `{"query":"{ todo { title } }"}`, 405, `method not allowed`},
		{"mutation over GET", http.MethodGet, "/graphql?" + url.Values{"query": {`mutation { addTodo(title: "x") { title } }`}}.Encode(), "", "", 405, `POST`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			w := e.raw(sc.method, sc.path, sc.ct, []byte(sc.body), tok)
			if w.Code != sc.status || !strings.Contains(w.Body.String(), sc.contains) {
				t.Errorf("%d %s; want %d containing %s", w.Code, w.Body, sc.status, sc.contains)
			}
			if strings.Contains(w.Body.String(), "\n\t") || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/") {
				t.Errorf("answer must be compact JSON: %q %s", w.Header().Get("Content-Type"), w.Body)
			}
		})
	}
	e.enabled.Store(false)
	if w := e.raw(http.MethodPost, "/graphql", "application/json", []byte(`{"query":"{ todo { title } }"}`), tok); w.Code != http.StatusNotFound {
		t.Errorf("disabled: %d %s", w.Code, w.Body)
	}
}

// TestGraphQLEnableLive checks the mounted /graphql: 404 until
// graphql.enable is set, then served without a restart.
func TestGraphQLEnableLive(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	body := map[string]any{"query": "{ __typename }"}
	if r := s.Do(t, http.MethodPost, "/graphql", body, tok); r.Status != http.StatusNotFound {
		t.Fatalf("disabled by default: %d %s", r.Status, r.Body)
	}
	ctx := context.Background()
	if err := s.Srv.ConfigStore().Set(ctx, resource.ConfigBackend, resource.KeyGraphQL, "true"); err != nil {
		t.Fatal(err)
	}
	s.Srv.ReloadConfig(ctx)
	r := s.Do(t, http.MethodPost, "/graphql", body, tok)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"__typename":"Query"`) {
		t.Fatalf("enabled: %d %s", r.Status, r.Body)
	}
	if err := s.Srv.ConfigStore().Set(ctx, resource.ConfigBackend, resource.KeyGraphQL, "false"); err != nil {
		t.Fatal(err)
	}
	s.Srv.ReloadConfig(ctx)
	if r := s.Do(t, http.MethodPost, "/graphql", body, tok); r.Status != http.StatusNotFound {
		t.Fatalf("disabled again: %d %s", r.Status, r.Body)
	}
}

// countingRes counts List calls, to prove relations are batched.
type countingRes struct {
	resource.Service
	lists atomic.Int64
}

func (c *countingRes) List(ctx context.Context, table string, q resource.Query) (resource.Page, error) {
	c.lists.Add(1)
	return c.Service.List(ctx, table, q)
}

func TestGraphQLBatchesRelations(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	for i := 0; i < 3; i++ {
		rel := projectRel(t, s, tok)
		for j := 0; j < 4; j++ {
			create(t, s, tok, "todo", map[string]any{"title": "t"}, rel)
		}
	}
	c := &countingRes{Service: s.Srv.Resource()}
	gql := graphql.New(graphql.Deps{Res: func() resource.Service { return c }, Enabled: func() bool { return true }})
	e := &gqlEnv{s: s, h: bearer(t, s, gql)}
	data := e.ok(t, tok, `{ todo(page: {size: 100}) { title project_id { name todo_id { title project_id { name } } } } }`, nil)
	rows := list(t, data["todo"])
	if len(rows) != 12 {
		t.Fatalf("want 12 todos, got %d", len(rows))
	}
	siblings := list(t, rows[0]["project_id"].(map[string]any)["todo_id"])
	if len(siblings) != 4 || siblings[0]["project_id"].(map[string]any)["name"] != "Home" {
		t.Errorf("nested siblings = %#v", siblings)
	}
	// One List for the todos (projects included), one for the projects'
	// todos, one for those todos' projects: never one per row.
	if n := c.lists.Load(); n != 3 {
		t.Errorf("List calls = %d, want 3", n)
	}
}
