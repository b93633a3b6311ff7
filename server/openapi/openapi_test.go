package openapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/schema"
)

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
    IsStateTrackingEnabled: true
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200)}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: due, ColumnType: date, IsNullable: true}
      - {Name: status, ColumnType: enum, Options: [{Value: open, Label: Open}, {Value: closed, Label: Closed}]}
      - {Name: level, ColumnType: rating, Options: [{Value: "1", Label: Low}, {Value: 2, Label: High}]}
      - {Name: notes, ColumnType: content, IsNullable: true}
      - {Name: score, ColumnType: float, IsNullable: true}
      - {Name: secret, ColumnType: password, IsNullable: true}
      - {Name: extra, ColumnType: json, IsNullable: true}
      - {Name: pic, ColumnType: image, IsNullable: true}
Relations:
  - {Subject: todo, Relation: belongs_to, Object: project}
  - {Subject: todo, Relation: has_many, Object: tag}
Actions:
  - Name: mark_done
    Label: Mark done
    OnType: todo
    InFields:
      - {Name: note, ColumnName: note, ColumnType: label}
      - {Name: when, ColumnName: when, ColumnType: datetime}
    OutFields: []
`

func compile(t testing.TB, files ...string) *schema.Schema {
	t.Helper()
	var srcs []schema.Source
	for i, f := range files {
		name := "schema_" + string(rune('a'+i)) + ".yaml"
		parsed, err := schema.Parse(name, []byte(f))
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, schema.Source{Path: name, File: parsed})
	}
	sc, err := schema.Compile(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// load parses and validates an encoded document with kin-openapi.
func load(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return doc
}

func TestDocumentValidates(t *testing.T) {
	for name, sc := range map[string]*schema.Schema{"builtin": compile(t), "todo": compile(t, todoSchema)} {
		t.Run(name, func(t *testing.T) {
			y, js, err := Encode(sc)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d tables, %d actions: YAML %d bytes, JSON %d bytes", len(sc.Tables), len(sc.Actions), len(y), len(js))
			if len(y) > 1<<20 {
				t.Errorf("YAML document is %d bytes, want well under 1.5 MB", len(y))
			}
			dy, dj := load(t, y), load(t, js)
			if dy.Paths.Len() != dj.Paths.Len() {
				t.Errorf("YAML has %d paths, JSON %d", dy.Paths.Len(), dj.Paths.Len())
			}
			for _, p := range FixedPaths() {
				if dy.Paths.Value(p) == nil {
					t.Errorf("fixed path %s missing", p)
				}
			}
			for _, tb := range sc.Tables {
				for _, p := range []string{"/api/" + tb.TableName, "/api/" + tb.TableName + "/{id}"} {
					if dy.Paths.Value(p) == nil {
						t.Errorf("path %s missing", p)
					}
				}
			}
			for _, a := range sc.Actions {
				if dy.Paths.Value("/action/"+a.OnType+"/"+a.Name) == nil {
					t.Errorf("action %s/%s missing", a.OnType, a.Name)
				}
			}
		})
	}
}

func TestTodoDetails(t *testing.T) {
	sc := compile(t, todoSchema)
	y, _, err := Encode(sc)
	if err != nil {
		t.Fatal(err)
	}
	doc := load(t, y)
	for _, p := range []string{"/api/todo/{id}/project", "/api/todo/{id}/tag", "/api/todo/{id}/project_id", "/api/{type}/{id}"} {
		if doc.Paths.Value(p) != nil {
			t.Errorf("document has %s", p)
		}
	}
	rel := doc.Paths.Value("/api/todo/{id}/{relation}")
	if rel == nil || rel.Get == nil {
		t.Fatal("no related path for todo")
	}
	var enum []any
	for _, p := range rel.Parameters {
		if p.Value.Name == "relation" {
			enum = p.Value.Schema.Value.Enum
		}
	}
	for _, want := range []any{"project_id", "tag_id", "user_account_id", "usergroup_id"} {
		if !slices.Contains(enum, want) {
			t.Errorf("relation enum %v lacks %v", enum, want)
		}
	}
	if slices.Contains(enum, "project") || slices.Contains(enum, "tag") {
		t.Errorf("relation enum %v holds table names", enum)
	}
	links := doc.Paths.Value("/api/todo/{id}/relationships/{relation}")
	if links == nil || links.Get == nil || links.Patch == nil || links.Post == nil || links.Delete == nil {
		t.Fatal("relationships path incomplete")
	}

	attrs := doc.Components.Schemas["todo.attributes"].Value.Properties
	check := func(col, typ string) *openapi3.Schema {
		t.Helper()
		s, ok := attrs[col]
		if !ok {
			t.Fatalf("todo.attributes lacks %s", col)
		}
		if typ != "" && !s.Value.Type.Is(typ) {
			t.Errorf("%s: type %v, want %s", col, s.Value.Type, typ)
		}
		return s.Value
	}
	check("title", "string")
	check("priority", "integer")
	check("score", "number")
	if s := check("due", "string"); s.Format != "date-time" || !s.Nullable {
		t.Errorf("due: format %q nullable %v", s.Format, s.Nullable)
	}
	if s := check("status", "string"); !slices.Equal(s.Enum, []any{"open", "closed"}) {
		t.Errorf("status enum %v", s.Enum)
	}
	if s := check("level", "integer"); len(s.Enum) != 2 {
		t.Errorf("level enum %v", s.Enum)
	}
	if s := check("secret", "string"); !s.WriteOnly {
		t.Error("password column is not writeOnly")
	}
	if s := check("project_id", "string"); s.Format != "uuid" {
		t.Errorf("project_id format %q", s.Format)
	}
	check("done", "")
	check("pic", "")
	check("reference_id", "string")
	for _, hidden := range []string{"id", "version"} {
		if _, ok := attrs[hidden]; ok {
			t.Errorf("attributes expose %s", hidden)
		}
	}

	act := doc.Paths.Value("/action/todo/mark_done")
	if act == nil || act.Post == nil || act.Post.RequestBody == nil {
		t.Fatal("action path missing")
	}
	in := doc.Components.Schemas["action.todo.mark_done"].Value.Properties["attributes"].Value
	for _, f := range []string{"note", "when", "todo_id"} {
		if _, ok := in.Properties[f]; !ok {
			t.Errorf("action request lacks %s", f)
		}
	}
	if !slices.Contains(in.Required, "todo_id") {
		t.Errorf("instance action does not require todo_id: %v", in.Required)
	}
	for _, audit := range []string{"/api/todo_audit", "/api/todo_state"} {
		if doc.Paths.Value(audit) == nil {
			t.Errorf("missing %s", audit)
		}
	}
}

func TestHandlerCachesPerSchema(t *testing.T) {
	var cur atomic.Pointer[schema.Schema]
	cur.Store(compile(t))
	r := chi.NewRouter()
	Mount(r, cur.Load, nil)
	srv := httptest.NewServer(r)
	defer srv.Close()

	get := func(method, path string, hdr ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	a := get(http.MethodGet, PathYAML)
	if a.StatusCode != 200 || a.Header.Get("Content-Type") != ContentTypeYAML {
		t.Fatalf("GET yaml: %d %q", a.StatusCode, a.Header.Get("Content-Type"))
	}
	if j := get(http.MethodGet, PathJSON); j.Header.Get("Content-Type") != ContentTypeJSON {
		t.Errorf("json content type %q", j.Header.Get("Content-Type"))
	}
	if s := get(http.MethodGet, PathAPISpec); s.Header.Get("ETag") != a.Header.Get("ETag") {
		t.Error("apispec.yaml differs from openapi.yaml")
	}
	h := get(http.MethodHead, PathYAML)
	if h.StatusCode != 200 || h.Header.Get("ETag") != a.Header.Get("ETag") || h.ContentLength <= 0 {
		t.Errorf("HEAD: %d etag %q length %d", h.StatusCode, h.Header.Get("ETag"), h.ContentLength)
	}
	if nm := get(http.MethodGet, PathYAML, "If-None-Match", a.Header.Get("ETag")); nm.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", nm.StatusCode)
	}
	if same := get(http.MethodGet, PathYAML); same.Header.Get("ETag") != a.Header.Get("ETag") {
		t.Error("ETag changed without a schema change")
	}
	cur.Store(compile(t, todoSchema))
	if b := get(http.MethodGet, PathYAML); b.Header.Get("ETag") == a.Header.Get("ETag") {
		t.Error("document not rebuilt after a schema change")
	}
}

func TestHeadAsGet(t *testing.T) {
	h := HeadAsGet(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("method %s", r.Method)
		}
		w.Header().Set("X-Seen", "1")
		_, _ = w.Write([]byte("body"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/x", nil))
	if rec.Header().Get("X-Seen") != "1" || rec.Body.Len() != 0 {
		t.Errorf("HEAD: header %q body %q", rec.Header().Get("X-Seen"), rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	if !strings.Contains(rec.Body.String(), "body") {
		t.Error("GET body lost")
	}
}
