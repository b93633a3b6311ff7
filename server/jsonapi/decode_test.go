package jsonapi

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
)

// wantHTTPErr checks that err is an *httperr.Error with status and pointer.
func wantHTTPErr(t *testing.T, err error, status int, pointer string) {
	t.Helper()
	var he *httperr.Error
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T), want an *httperr.Error", err, err)
	}
	if he.Status != status || he.Pointer != pointer {
		t.Fatalf("status %d pointer %q (%s), want %d %q", he.Status, he.Pointer, he.Detail, status, pointer)
	}
}

func TestDecodeJSONNumbers(t *testing.T) {
	v, err := decodeJSON([]byte(`{"a": 9007199254740993, "b": 1.5, "c": [2, 1e3], "d": {"e": -4}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": int64(9007199254740993), "b": 1.5, "c": []any{int64(2), 1000.0}, "d": map[string]any{"e": int64(-4)}}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("decoded %#v, want %#v (integers exact, others float64)", v, want)
	}
	for _, bad := range []string{"", "  ", "{", `{"a":1} {"b":2}`, `{"a": 1e999}`, `[1, 2e400]`} {
		if _, err := decodeJSON([]byte(bad)); err == nil {
			t.Errorf("decodeJSON(%q) accepted", bad)
		} else {
			wantHTTPErr(t, err, http.StatusBadRequest, "")
		}
	}
}

func TestParseResourceAccepts(t *testing.T) {
	body := `{"data":{"type":"todo","id":"` + id1 + `","attributes":{"title":"x","n":3},
		"relationships":{"tag_id":{"data":[{"type":"tag","id":"` + tagID + `"}]},"assignee_id":{"data":null},
		"user_account_id":{"data":{"type":"user_account","id":"` + alice + `"}}}}}`
	in, err := parseResource([]byte(body), "todo", "")
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != id1 || in.Attributes["title"] != "x" || in.Attributes["n"] != int64(3) {
		t.Fatalf("input %+v", in)
	}
	want := map[string]resource.RelInput{
		"tag_id":          {Refs: []resource.Ref{{Type: "tag", ID: tagID}}},
		"assignee_id":     {Null: true},
		"user_account_id": {Refs: []resource.Ref{{Type: "user_account", ID: alice}}},
	}
	if !reflect.DeepEqual(in.Relationships, want) {
		t.Fatalf("relationships %+v, want %+v", in.Relationships, want)
	}
	// No attributes member: an empty map, never nil; the URL's id in any case.
	in, err = parseResource([]byte(`{"data":{"id":"`+id1+`"}}`), "todo", "01A2077D-03DF-7A20-8A5F-2723C1DB94AF")
	if err != nil || in.Attributes == nil || len(in.Attributes) != 0 || in.ID != "" {
		t.Fatalf("input %+v, err %v", in, err)
	}
}

func TestParseResourceRejects(t *testing.T) {
	cases := []struct {
		name, body, urlID string
		status            int
		pointer           string
	}{
		{"array body", `[1]`, "", 400, ""},
		{"no data", `{"meta":{}}`, "", 400, "/data"},
		{"data not object", `{"data":[]}`, "", 400, "/data"},
		{"type not string", `{"data":{"type":5}}`, "", 400, "/data/type"},
		{"type mismatch", `{"data":{"type":"tag"}}`, "", 409, "/data/type"},
		{"id not string", `{"data":{"id":5}}`, "", 400, "/data/id"},
		{"id not uuid", `{"data":{"id":"abc"}}`, "", 400, "/data/id"},
		{"id mismatch", `{"data":{"id":"` + id2 + `"}}`, id1, 409, "/data/id"},
		{"attributes not object", `{"data":{"attributes":[1]}}`, "", 400, "/data/attributes"},
		{"relationships not object", `{"data":{"relationships":1}}`, "", 400, "/data/relationships"},
		{"relationship not object", `{"data":{"relationships":{"a/b":1}}}`, "", 400, "/data/relationships/a~1b"},
		{"relationship without data", `{"data":{"relationships":{"tag_id":{}}}}`, "", 400, "/data/relationships/tag_id/data"},
		{"linkage of a string", `{"data":{"relationships":{"tag_id":{"data":"x"}}}}`, "", 400, "/data/relationships/tag_id/data"},
		{"list element not object", `{"data":{"relationships":{"tag_id":{"data":[1]}}}}`, "", 400, "/data/relationships/tag_id/data/0"},
		{"ref id not uuid", `{"data":{"relationships":{"tag_id":{"data":{"type":"tag","id":"x"}}}}}`, "", 400, "/data/relationships/tag_id/data/id"},
		{"ref type not string", `{"data":{"relationships":{"tag_id":{"data":[{"type":1,"id":"` + tagID + `"}]}}}}`, "", 400, "/data/relationships/tag_id/data/0/type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseResource([]byte(tc.body), "todo", tc.urlID)
			wantHTTPErr(t, err, tc.status, tc.pointer)
		})
	}
}

func TestParseLinkage(t *testing.T) {
	refs, null, err := parseLinkage([]byte(`{"data":[{"type":"tag","id":"` + tagID + `"},{"id":"` + id1 + `"}]}`))
	if err != nil || null || !reflect.DeepEqual(refs, []resource.Ref{{Type: "tag", ID: tagID}, {ID: id1}}) {
		t.Fatalf("refs %v null %v err %v", refs, null, err)
	}
	if refs, null, err := parseLinkage([]byte(`{"data":null}`)); err != nil || !null || refs != nil {
		t.Fatalf("null linkage: refs %v null %v err %v", refs, null, err)
	}
	_, _, err = parseLinkage([]byte(`{"links":{}}`))
	wantHTTPErr(t, err, 400, "/data")
	_, _, err = parseLinkage([]byte(`"x"`))
	wantHTTPErr(t, err, 400, "")
}

func TestRouteTable(t *testing.T) {
	for path, want := range map[string]string{
		"/api/todo":                  "todo",
		"/api/todo/":                 "todo",
		"/api/todo/" + id1:           "todo",
		"/api/todo/" + id1 + "/tags": "",
		"/aggregate/todo":            "",
	} {
		if got := routeTable(path); got != want {
			t.Errorf("routeTable(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestCheckFieldset(t *testing.T) {
	f, err := schema.Parse("schema_t.json", []byte(`{"Tables":[
		{"TableName":"todo","Columns":[{"Name":"title","ColumnType":"label"},{"Name":"secret","ColumnType":"label","ExcludeFromApi":true}]},
		{"TableName":"tag","Columns":[{"Name":"label","ColumnType":"label"}]}],
		"Relations":[{"Subject":"todo","Relation":"has_many","Object":"tag"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_t.json", File: f})
	if err != nil {
		t.Fatal(err)
	}
	if err := checkFieldset(sc, "fields[todo]", "todo", []string{"title", "tag_id", "__type"}); err != nil {
		t.Fatalf("valid fieldset refused: %v", err)
	}
	for _, tc := range []struct {
		typ   string
		names []string
	}{{"nope", []string{"title"}}, {"todo", []string{"missing"}}, {"todo", []string{"secret"}}} {
		err := checkFieldset(sc, "fields["+tc.typ+"]", tc.typ, tc.names)
		var he *httperr.Error
		if !errors.As(err, &he) || he.Status != 400 || he.Code != codeInvalidField || he.Parameter != "fields["+tc.typ+"]" {
			t.Errorf("fields[%s]=%v: %v, want a 400 %s naming the parameter", tc.typ, tc.names, err, codeInvalidField)
		}
	}
}
