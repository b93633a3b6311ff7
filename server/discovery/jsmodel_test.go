package discovery

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const jsTodoSchema = `
StateMachineDescriptions:
  - Name: todo_flow
    Label: Todo flow
    InitialState: open
    Events:
      - {Name: finish, Label: Finish, Src: [open], Dst: done}
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label}
  - TableName: tag
    Columns:
      - {Name: label, ColumnType: label}
  - TableName: todo
    IsStateTrackingEnabled: true
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(500), IsIndexed: true}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
Relations:
  - {Subject: todo, Relation: belongs_to, Object: project}
  - {Subject: todo, Relation: has_one, Object: user_account, ObjectName: assignee_id, SubjectName: assigned_todo}
  - {Subject: todo, Relation: has_many, Object: tag}
Actions:
  - Name: mark_done
    Label: Mark done
    OnType: todo
    InstanceOptional: false
    InFields:
      - {Name: note, ColumnName: note, ColumnType: label}
    OutFields:
      - {Type: todo, Method: PATCH, Attributes: {reference_id: $.reference_id, done: "1"}}
`

// jsmodelRouter serves /jsmodel over res.
func jsmodelRouter(res resource.Service) http.Handler {
	r := chi.NewRouter()
	Mount(r, Deps{Res: func() resource.Service { return res }})
	return r
}

func getJSModel(t *testing.T, h http.Handler, path string) (int, map[string]any, *httptest.ResponseRecorder) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var m map[string]any
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v: %s", path, err, rec.Body)
		}
	}
	return rec.Code, m, rec
}

func TestJSModelShape(t *testing.T) {
	res := resourcetest.New(t, jsTodoSchema)
	h := jsmodelRouter(res)
	for _, p := range []string{"/jsmodel/todo", "/jsmodel/todo.js", "/jsmodel/todo.json"} {
		code, _, rec := getJSModel(t, h, p)
		if code != http.StatusOK || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Fatalf("%s: %d %v", p, code, rec.Header())
		}
	}
	_, m, rec := getJSModel(t, h, "/jsmodel/todo.js")
	cm := m["ColumnModel"].(map[string]any)
	want := map[string]string{"project_id": "hasOne", "assignee_id": "hasOne", "user_account_id": "hasOne",
		"tag_id": "hasMany", "usergroup_id": "hasMany", "todo_has_state": "hasMany"}
	for name, kind := range want {
		e, _ := cm[name].(map[string]any)
		if e["jsonApi"] != kind || e["columnType"] != "entity" || e["ColumnName"] != name {
			t.Errorf("%s: %v", name, cm[name])
		}
	}
	for _, name := range []string{"id", "version"} {
		if _, ok := cm[name]; ok {
			t.Errorf("%s must not be in the column model", name)
		}
	}
	title, _ := cm["title"].(map[string]any)
	if title["ColumnType"] != "label" || title["DataType"] != "varchar(500)" || title["IsIndexed"] != true || title["Options"] != nil {
		t.Errorf("title: %v", title)
	}
	for _, k := range []string{"ColumnDescription", "DefaultValue", "ForeignKeyData", "Options", "ExcludeFromApi"} {
		if _, ok := title[k]; !ok {
			t.Errorf("title lacks %s", k)
		}
	}
	typ, _ := cm["__type"].(map[string]any)
	if typ["Name"] != "type" || typ["ColumnType"] != "hidden" {
		t.Errorf("__type: %v", typ)
	}
	if cm["relation_reference_id"] == nil || cm["reference_id"] == nil {
		t.Errorf("reference ids missing")
	}
	if m["IsStateMachineEnabled"] != true {
		t.Errorf("IsStateMachineEnabled: %v", m["IsStateMachineEnabled"])
	}
	acts, ok := m["Actions"].([]any)
	if !ok || len(acts) != 1 {
		t.Fatalf("Actions: %s", rec.Body)
	}
	a := acts[0].(map[string]any)
	if a["Name"] != "mark_done" || a["OutFields"] != nil || len(a["InFields"].([]any)) != 1 {
		t.Errorf("action: %v", a)
	}
	if sm, ok := m["StateMachines"].([]any); !ok || len(sm) != 0 {
		t.Errorf("StateMachines before linking: %v", m["StateMachines"])
	}

	// Tables without actions still send an array.
	_, m, _ = getJSModel(t, h, "/jsmodel/project.js")
	if acts, ok := m["Actions"].([]any); !ok || len(acts) != 0 {
		t.Errorf("project Actions: %v", m["Actions"])
	}
	if cm := m["ColumnModel"].(map[string]any); cm["todo_id"].(map[string]any)["jsonApi"] != "hasMany" {
		t.Errorf("reverse relation: %v", cm["todo_id"])
	}
}

func TestJSModelStateMachines(t *testing.T) {
	res := resourcetest.New(t, jsTodoSchema)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	find := func(table, col, val string) string {
		p, err := res.List(ctx, table, resource.Query{Conditions: []resource.Condition{{Column: col, Operator: "is", Value: val}}})
		if err != nil || len(p.Rows) != 1 {
			t.Fatalf("%s %s=%s: %v %d", table, col, val, err, len(p.Rows))
		}
		return p.Rows[0].RefID
	}
	smd := find("smd", "name", "todo_flow")
	world := find("world", "table_name", "todo")
	if err := res.AddLinks(ctx, "world", world, "smd_id", []resource.Ref{{Type: "smd", ID: smd}}); err != nil {
		t.Fatal(err)
	}
	_, m, rec := getJSModel(t, jsmodelRouter(res), "/jsmodel/todo.js")
	sm, _ := m["StateMachines"].([]any)
	if len(sm) != 1 {
		t.Fatalf("StateMachines: %s", rec.Body)
	}
	row := sm[0].(map[string]any)
	if row["__type"] != "smd" || row["name"] != "todo_flow" || row["initial_state"] != "open" || row["reference_id"] != smd {
		t.Errorf("smd row: %v", row)
	}
	// Another table's list stays empty.
	if _, m, _ := getJSModel(t, jsmodelRouter(res), "/jsmodel/project"); len(m["StateMachines"].([]any)) != 0 {
		t.Errorf("project StateMachines: %v", m["StateMachines"])
	}
}

func TestJSModelUnknown(t *testing.T) {
	res := resourcetest.New(t, jsTodoSchema)
	code, _, rec := getJSModel(t, jsmodelRouter(res), "/jsmodel/nosuchtable.js")
	if code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/vnd.api+json" {
		t.Fatalf("%d %v %s", code, rec.Header(), rec.Body)
	}
}
