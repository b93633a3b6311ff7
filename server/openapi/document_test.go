package openapi

import (
	"sort"
	"strings"
	"testing"
)

func TestTableOperations(t *testing.T) {
	t.Parallel()
	doc, err := Build(compile(t, todoSchema))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"/api/todo":                               {"get:todo.list", "post:todo.create"},
		"/api/todo/{id}":                          {"delete:todo.delete", "get:todo.get", "patch:todo.update"},
		"/api/todo/{id}/{relation}":               {"get:todo.related"},
		"/api/todo/{id}/relationships/{relation}": {"delete:todo.removeLinks", "get:todo.linkage", "patch:todo.addLinks", "post:todo.postLinks"},
		"/api/project":                            {"get:project.list", "post:project.create"},
		"/action/todo/mark_done":                  {"post:"},
	}
	for path, ops := range want {
		item := doc.Paths[path]
		if item == nil {
			t.Errorf("%s missing", path)
			continue
		}
		var got []string
		for method, op := range map[string]*Operation{"get": item.Get, "post": item.Post, "patch": item.Patch, "delete": item.Delete, "put": item.Put} {
			if op == nil {
				continue
			}
			id := op.OperationID
			if path == "/action/todo/mark_done" {
				id = ""
			}
			got = append(got, method+":"+id)
			if len(op.Responses) == 0 {
				t.Errorf("%s %s has no responses", method, path)
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(ops, " ") {
			t.Errorf("%s: %v, want %v", path, got, ops)
		}
	}
	list := doc.Paths["/api/todo"].Get
	var params []string
	for _, p := range list.Parameters {
		params = append(params, p.Ref)
	}
	for _, p := range []string{"PageNumber", "PageSize", "Sort", "Query", "Filter", "IncludedRelations", "Fields"} {
		if !strings.Contains(strings.Join(params, " "), "#/components/parameters/"+p) {
			t.Errorf("todo.list lacks parameter %s: %v", p, params)
		}
	}
	act := doc.Paths["/action/todo/mark_done"].Post
	if act.RequestBody == nil || act.Summary == "" {
		t.Errorf("action operation: %+v", act)
	}
}

func TestAttributeComponents(t *testing.T) {
	t.Parallel()
	doc, err := Build(compile(t, todoSchema))
	if err != nil {
		t.Fatal(err)
	}
	var attrs *Schema
	for name, s := range doc.Components.Schemas {
		if strings.HasPrefix(name, "todo") && s.Properties["title"] != nil && s.Properties["secret"] != nil {
			attrs = s
		}
	}
	if attrs == nil {
		t.Fatal("no attribute schema of todo")
	}
	for col, check := range map[string]func(*Schema) bool{
		"title":    func(s *Schema) bool { return s.Type == typeString },
		"priority": func(s *Schema) bool { return s.Type == typeInteger },
		"due":      func(s *Schema) bool { return s.Type == typeString && s.Nullable },
		"status":   func(s *Schema) bool { return len(s.Enum) == 2 && s.Enum[0] == "open" },
		"level":    func(s *Schema) bool { return len(s.Enum) == 2 },
		"secret":   func(s *Schema) bool { return s.WriteOnly },
		"pic":      func(s *Schema) bool { return s.Ref == "#/components/schemas/Files" },
		"done":     func(s *Schema) bool { return s.Ref == "#/components/schemas/Bool01" },
		"__type":   func(s *Schema) bool { return s.Ref == "#/components/schemas/TypeName" },
	} {
		s := attrs.Properties[col]
		if s == nil || !check(s) {
			t.Errorf("attribute %s: %+v", col, s)
		}
	}
	for _, hidden := range []string{"id", "version"} {
		if attrs.Properties[hidden] != nil {
			t.Errorf("internal column %s documented", hidden)
		}
	}
	for _, shared := range []string{"Bool01", "Files", "TypeName"} {
		if doc.Components.Schemas[shared] == nil {
			t.Errorf("shared schema %s missing", shared)
		}
	}
	if doc.OpenAPI == "" || doc.Info == nil || doc.Info.Version == "" || len(doc.Components.SecuritySchemes) == 0 {
		t.Errorf("document head: %q %+v %v", doc.OpenAPI, doc.Info, doc.Components.SecuritySchemes)
	}
}

func TestDialectAndIntegrationRoutesAreFixed(t *testing.T) {
	t.Parallel()
	paths := strings.Join(FixedPaths(), " ")
	for _, r := range append(dialectRoutes(), integrationRoutes()...) {
		if !strings.Contains(paths, r.path) {
			t.Errorf("route %s is not among the fixed paths", r.path)
		}
		if r.summary == "" || r.tag == "" {
			t.Errorf("route %s has no summary or tag", r.path)
		}
	}
	for _, p := range []string{"/v1/models", "/token", "/users", "/graphql"} {
		if !strings.Contains(paths, p) {
			t.Errorf("%s is not documented", p)
		}
	}
}

func TestSharedParameters(t *testing.T) {
	t.Parallel()
	doc, err := Build(compile(t, todoSchema))
	if err != nil {
		t.Fatal(err)
	}
	ps := doc.Components.Parameters
	for name, want := range map[string]struct{ in, param, typ string }{
		"Id":           {"path", "id", typeString},
		"PageNumber":   {"query", "page[number]", typeInteger},
		"PageSize":     {"query", "page[size]", typeInteger},
		"PageAfter":    {"query", "page[after]", typeString},
		"Sort":         {"query", "sort", typeString},
		"ValidateOnly": {"header", "Validate-Only", typeBoolean},
		"Entity":       {"path", "entity", typeString},
	} {
		p := ps[name]
		if p == nil || p.In != want.in || p.Name != want.param || p.Schema == nil || p.Schema.Type != want.typ {
			t.Errorf("parameter %s: %+v", name, p)
			continue
		}
		if p.In == "path" && !p.Required {
			t.Errorf("path parameter %s is not required", name)
		}
	}
	var tables []string
	for _, v := range ps["Entity"].Schema.Enum {
		tables = append(tables, v.(string))
	}
	if !sort.StringsAreSorted(tables) || !strings.Contains(strings.Join(tables, " "), "todo") {
		t.Errorf("entity names: %v", tables)
	}
	if m := ps["PageSize"].Schema.Minimum; m == nil || *m != 0 {
		t.Errorf("page size minimum: %v", m)
	}
}

func TestBuildingBlocks(t *testing.T) {
	t.Parallel()
	rs := ok(200, response("fine", "application/json", stringSchema()), 204, response("empty", "", nil))
	if len(rs) != 3 || rs["default"].Ref != "#/components/responses/Error" || rs["204"].Content != nil ||
		rs["200"].Content["application/json"].Schema.Type != typeString {
		t.Errorf("responses: %+v", rs)
	}
	if b := body("application/json", arrayOf(uuidSchema())); !b.Required || b.Content["application/json"].Schema.Items.Format != "uuid" {
		t.Errorf("body: %+v", b)
	}
	s := integerSchema().withEnum(1, 2).withMin(1).withNullable()
	if len(s.Enum) != 2 || *s.Minimum != 1 || !s.Nullable || readOnly(stringSchema()).ReadOnly != true {
		t.Errorf("schema helpers: %+v", s)
	}
}
