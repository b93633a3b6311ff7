package openapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/apiary/apiary/schema"
)

func TestColumnSchema(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		col  schema.Column
		want Schema
	}{
		{"label", schema.Column{ColumnType: "label"}, Schema{Type: typeString}},
		{"unknown type is a label", schema.Column{ColumnType: "no-such-type", IsNullable: true}, Schema{Type: typeString, Nullable: true}},
		{"email", schema.Column{ColumnType: "email"}, Schema{Type: typeString, Format: "email"}},
		{"url", schema.Column{ColumnType: "url"}, Schema{Type: typeString, Format: "uri"}},
		{"measurement", schema.Column{ColumnType: "measurement", DataType: "int(11)"}, Schema{Type: typeInteger, Format: "int64"}},
		{"label stored as int", schema.Column{ColumnType: "label", DataType: "INT(10) unsigned"}, Schema{Type: typeInteger, Format: "int64"}},
		{"label stored as double", schema.Column{ColumnType: "label", DataType: "double"}, Schema{Type: typeNumber}},
		{"label stored as bool", schema.Column{ColumnType: "label", DataType: "boolean", IsNullable: true},
			Schema{AnyOf: []*Schema{boolSchema(), integerSchema().withEnum(0, 1)}, Nullable: true,
				Description: "Returned as 0 or 1; true and false are accepted on write."}},
		{"datetime", schema.Column{ColumnType: "datetime"}, Schema{Type: typeString, Format: "date-time"}},
		{"datetime stored as int", schema.Column{ColumnType: "datetime", DataType: "bigint"}, Schema{Type: typeInteger, Format: "int64", Description: "Unix seconds."}},
		{"password", schema.Column{ColumnType: "password"}, Schema{Type: typeString, WriteOnly: true, Description: "Write-only: stored as a hash, returned as an empty string."}},
		{"encrypted", schema.Column{ColumnType: "encrypted"}, Schema{Type: typeString, Description: "Stored encrypted; returned as ciphertext."}},
		{"described", schema.Column{ColumnType: "label", ColumnDescription: "mine"}, Schema{Type: typeString, Description: "mine"}},
		{"enum options", schema.Column{ColumnType: "label", Options: []schema.ColumnOption{{Value: "a"}, {Value: 2.0}, {Value: true}, {Value: []any{}}}},
			Schema{Type: typeString, Enum: []any{"a", "2", "true"}}},
		{"foreign key", schema.Column{ColumnType: "alias", IsForeignKey: true, IsNullable: true, ForeignKeyData: schema.ForeignKeyData{DataSource: "self", Namespace: "project"}},
			Schema{Type: typeString, Format: "uuid", Nullable: true, Description: "Id of a project row."}},
	} {
		got := columnSchema(&c.col)
		if !reflect.DeepEqual(*got, c.want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(c.want)
			t.Errorf("%s:\n got %s\nwant %s", c.name, gj, wj)
		}
	}
	if got := columnSchema(&schema.Column{ColumnType: "truefalse"}); got.Ref != "#/components/schemas/Bool01" {
		t.Errorf("non-null bool: %+v", got)
	}
}

func TestEnumValue(t *testing.T) {
	t.Parallel()
	str, num := stringSchema(), numberSchema()
	for _, c := range []struct {
		s    *Schema
		in   any
		want any
		ok   bool
	}{
		{str, "x", "x", true}, {str, false, "false", true}, {str, 1.5, "1.5", true}, {str, 3, "3", true}, {str, int64(4), "4", true},
		{str, nil, nil, false}, {num, 2.0, 2.0, true}, {num, 5, 5, true}, {num, "2.5", 2.5, true}, {num, "x", nil, false},
		{num, true, nil, false}, {boolSchema(), "1", nil, false},
	} {
		got, ok := enumValue(c.s, c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("enumValue(%s, %#v) = %#v %v", c.s.Type, c.in, got, ok)
		}
	}
}

func TestActionRequest(t *testing.T) {
	t.Parallel()
	a := &schema.Action{Name: "go", OnType: "todo", InFields: []schema.Column{
		{ColumnName: "note", ColumnType: "label"}, {Name: "count", ColumnType: "measurement", DataType: "int(11)"}, {ColumnType: "label"},
	}}
	s := actionRequest(a)
	b, _ := json.Marshal(s)
	for _, want := range []string{`"note"`, `"count"`, `"todo_id"`, `"required":["todo_id"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("action request lacks %s: %s", want, b)
		}
	}
	a.InstanceOptional = true
	b, _ = json.Marshal(actionRequest(a))
	if strings.Contains(string(b), `"required":["todo_id"]`) || !strings.Contains(string(b), "Optional.") {
		t.Errorf("optional subject: %s", b)
	}
}

func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	sc := compile(t, todoSchema)
	h := Handler(func() *schema.Schema { return sc }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	get := func(method, path, inm string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		if inm != "" {
			r.Header.Set("If-None-Match", inm)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	y := get("GET", "/openapi.yaml", "")
	j := get("GET", "/openapi.json", "")
	if y.Code != 200 || y.Header().Get("Content-Type") != ContentTypeYAML || !strings.HasPrefix(y.Body.String(), "openapi:") {
		t.Errorf("yaml: %d %v %.40s", y.Code, y.Header(), y.Body)
	}
	var doc map[string]any
	if j.Code != 200 || j.Header().Get("Content-Type") != ContentTypeJSON || json.Unmarshal(j.Body.Bytes(), &doc) != nil || doc["openapi"] == nil {
		t.Errorf("json: %d %v %.40s", j.Code, j.Header(), j.Body)
	}
	if y.Header().Get("ETag") == "" || y.Header().Get("ETag") == j.Header().Get("ETag") {
		t.Errorf("etags: %q %q", y.Header().Get("ETag"), j.Header().Get("ETag"))
	}
	if w := get("GET", "/openapi.yaml", y.Header().Get("ETag")); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", w.Code)
	}
	if w := get("HEAD", "/openapi.json", ""); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d %d bytes", w.Code, w.Body.Len())
	}
	if w := get("POST", "/openapi.yaml", ""); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", w.Code, w.Header())
	}
	yd, jd, err := Encode(sc)
	if err != nil || !strings.HasPrefix(string(yd), "openapi:") || !json.Valid(jd) {
		t.Errorf("Encode: %v", err)
	}
	if etag(yd) == etag(jd) || etag(yd) != etag(append([]byte{}, yd...)) {
		t.Error("etag is not a function of the bytes")
	}
}

func TestFixedPathsAreDocumented(t *testing.T) {
	t.Parallel()
	doc, err := Build(compile(t, todoSchema))
	if err != nil {
		t.Fatal(err)
	}
	paths := FixedPaths()
	if len(paths) == 0 {
		t.Fatal("no fixed paths")
	}
	for _, p := range paths {
		if doc.Paths[p] == nil {
			t.Errorf("fixed path %s missing from the document", p)
		}
	}
	for _, p := range []string{"/api/todo", "/api/todo/{id}", "/api/todo/{id}/{relation}", "/action/todo/mark_done"} {
		if doc.Paths[p] == nil {
			t.Errorf("table path %s missing", p)
		}
	}
	if compName("a b/c") != "a_b_c" {
		t.Errorf("compName = %q", compName("a b/c"))
	}
}
