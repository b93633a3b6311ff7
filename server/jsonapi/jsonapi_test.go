package jsonapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

const (
	id1    = "01a2077d-03df-7a20-8a5f-2723c1db94af"
	id2    = "01a2077d-04cb-709a-a020-354ffcfc50bb"
	alice  = "01a20779-d96c-7eea-8158-11f40c8fa9a5"
	bob    = "01a20779-dcf7-78c4-931a-2d55f754f508"
	tagID  = "01a20788-88ac-7b6f-8efe-d46b4e60dc6f"
	nobody = "01a2077d-0000-7000-8000-000000000000"
)

func newHandler(f *fakeRes) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Route("/api", func(r chi.Router) {
		Mount(r, Deps{Res: func() resource.Service { return f }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	})
	return r
}

type req struct {
	method, target, body string
	header               map[string]string
	principal            *auth.Principal
}

func do(t *testing.T, h http.Handler, q req) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r := httptest.NewRequest(q.method, q.target, body)
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	if q.principal != nil {
		r = r.WithContext(auth.WithPrincipal(r.Context(), *q.principal))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// seedTodos adds n todo rows with distinct ids.
func seedTodos(f *fakeRes, n int) {
	for i := 0; i < n; i++ {
		id := id1[:34] + string(rune('a'+i/10)) + string(rune('0'+i%10))
		f.add("todo", resource.Row{RefID: id, Attrs: map[string]any{"__type": "todo", "reference_id": id}})
	}
}

func TestListLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target string
		rows         int
		want         string // the links object, exact bytes
	}{
		{"empty default", "/api/todo", 0,
			`{"current_page":1,"from":0,"last_page":0,"last_page_url":"//api/todo?page[number]=0","next_page_url":"//api/todo?page[number]=2","per_page":10,"to":10,"total":0}`},
		{"empty with encoded size", "/api/todo?page%5Bsize%5D=1", 0,
			`{"current_page":1,"from":0,"last_page":0,"last_page_url":"//api/todo?page[number]=0\u0026page[size]=1","next_page_url":"//api/todo?page[number]=2\u0026page[size]=1","per_page":1,"to":1,"total":0}`},
		{"single page", "/api/todo", 2,
			`{"current_page":1,"from":0,"last_page":1,"per_page":10,"to":10,"total":2}`},
		{"first of three", "/api/todo?page[size]=2", 5,
			`{"current_page":1,"from":0,"last_page":3,"last_page_url":"//api/todo?page[number]=3\u0026page[size]=2","next_page_url":"//api/todo?page[number]=2\u0026page[size]=2","per_page":2,"to":2,"total":5}`},
		{"middle", "/api/todo?page%5Bsize%5D=2&page%5Bnumber%5D=2", 5,
			`{"current_page":2,"first_page_url":"//api/todo?page[number]=1\u0026page[size]=2","from":2,"last_page":3,"last_page_url":"//api/todo?page[number]=3\u0026page[size]=2","next_page_url":"//api/todo?page[number]=3\u0026page[size]=2","per_page":2,"prev_page_url":"//api/todo?page[number]=1\u0026page[size]=2","to":4,"total":5}`},
		{"last", "/api/todo?page[size]=2&page[number]=3", 5,
			`{"current_page":3,"first_page_url":"//api/todo?page[number]=1\u0026page[size]=2","from":4,"last_page":3,"per_page":2,"prev_page_url":"//api/todo?page[number]=2\u0026page[size]=2","to":6,"total":5}`},
		{"beyond end", "/api/todo?page[size]=2&page[number]=5", 5,
			`{"current_page":5,"first_page_url":"//api/todo?page[number]=1\u0026page[size]=2","from":8,"last_page":3,"last_page_url":"//api/todo?page[number]=3\u0026page[size]=2","next_page_url":"//api/todo?page[number]=6\u0026page[size]=2","per_page":2,"prev_page_url":"//api/todo?page[number]=4\u0026page[size]=2","to":10,"total":5}`},
		{"size 0 is 1", "/api/todo?page[size]=0", 2,
			`{"current_page":1,"from":0,"last_page":2,"last_page_url":"//api/todo?page[number]=2\u0026page[size]=1","next_page_url":"//api/todo?page[number]=2\u0026page[size]=1","per_page":1,"to":1,"total":2}`},
		{"size clamped", "/api/todo?page[size]=5000", 1,
			`{"current_page":1,"from":0,"last_page":1,"per_page":1000,"to":1000,"total":1}`},
		{"other params kept, commas readable", "/api/todo?fields=title,done&page%5Bsize%5D=2", 5,
			`{"current_page":1,"from":0,"last_page":3,"last_page_url":"//api/todo?fields=title,done\u0026page[number]=3\u0026page[size]=2","next_page_url":"//api/todo?fields=title,done\u0026page[number]=2\u0026page[size]=2","per_page":2,"to":2,"total":5}`},
		{"token not copied", "/api/todo?token=secret&page[size]=1", 2,
			`{"current_page":1,"from":0,"last_page":2,"last_page_url":"//api/todo?page[number]=2\u0026page[size]=1","next_page_url":"//api/todo?page[number]=2\u0026page[size]=1","per_page":1,"to":1,"total":2}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			seedTodos(f, tc.rows)
			w := do(t, newHandler(f), req{method: "GET", target: tc.target})
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var doc struct{ Links json.RawMessage }
			if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if string(doc.Links) != tc.want {
				t.Errorf("links\n got %s\nwant %s", doc.Links, tc.want)
			}
			if !strings.HasPrefix(w.Body.String(), `{"links":{`) {
				t.Errorf("links must come first: %s", w.Body)
			}
		})
	}
}

func TestEmptyListExactBytes(t *testing.T) {
	t.Parallel()
	// Observed byte for byte from Daptin (07-todo-crud.txt, guest GET /api/world).
	f := newFake()
	f.rows["world"] = nil
	w := do(t, newHandler(f), req{method: "GET", target: "/api/world?page%5Bsize%5D=1"})
	want := `{"links":{"current_page":1,"from":0,"last_page":0,"last_page_url":"//api/world?page[number]=0\u0026page[size]=1","next_page_url":"//api/world?page[number]=2\u0026page[size]=1","per_page":1,"to":1,"total":0},"data":[]}`
	if w.Body.String() != want {
		t.Errorf("got  %s\nwant %s", w.Body, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestSingleRowExactBytes(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.add("todo", resource.Row{RefID: id1, Attrs: map[string]any{
		"title": "Milk & <eggs>", "__type": "todo", "reference_id": id1, "done": int64(0),
		"due": nil, "assignee_id": nil, "user_account_id": alice, "permission": int64(561441),
	}, Rel: map[string]any{"tag_id": []resource.Ref{{Type: "tag", ID: tagID}}}})
	w := do(t, newHandler(f), req{method: "GET", target: "/api/todo/" + id1})
	want := `{"data":{"type":"todo","id":"` + id1 + `","attributes":{"__type":"todo","assignee_id":null,"done":0,"due":null,"permission":561441,"reference_id":"` + id1 + `","title":"Milk \u0026 \u003ceggs\u003e","user_account_id":"` + alice + `"},"relationships":{"assignee_id":{"data":null},"tag_id":{"data":[{"type":"tag","id":"` + tagID + `"}]},"user_account_id":{"data":{"type":"user_account","id":"` + alice + `"}},"usergroup_id":{"data":[]}}}}`
	if w.Code != http.StatusOK || w.Body.String() != want {
		t.Errorf("status %d\n got %s\nwant %s", w.Code, w.Body, want)
	}
}

func TestRelValueForms(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.add("todo", resource.Row{RefID: id1, Attrs: map[string]any{"assignee_id": bob}, Rel: map[string]any{
		"user_account_id": (*resource.Ref)(nil), "assignee_id": &resource.Ref{Type: "user_account", ID: alice}, "usergroup_id": []resource.Ref(nil),
	}})
	w := do(t, newHandler(f), req{method: "GET", target: "/api/todo/" + id1})
	want := `"relationships":{"assignee_id":{"data":{"type":"user_account","id":"` + alice + `"}},"tag_id":{"data":[]},"user_account_id":{"data":null},"usergroup_id":{"data":[]}}`
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("got %s\nwant …%s…", w.Body, want)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	big := `{"data":{"type":"todo","attributes":{"title":"` + strings.Repeat("x", DefaultMaxBody) + `"}}}`
	tests := []struct {
		name string
		req  req
		code int
		want string // substring of the body
	}{
		{"unknown table", req{method: "GET", target: "/api/nosuch"}, 404, `"status":"404"`},
		{"unknown table post", req{method: "POST", target: "/api/nosuch", body: `{"data":{"type":"nosuch"}}`}, 404, `"status":"404"`},
		{"unknown id", req{method: "GET", target: "/api/todo/" + nobody}, 404, `"status":"404"`},
		{"unknown id delete", req{method: "DELETE", target: "/api/todo/" + nobody}, 404, `"status":"404"`},
		{"bad uuid", req{method: "GET", target: "/api/todo/not-a-uuid"}, 400, `"source":{"parameter":"id"}`},
		{"bad uuid patch", req{method: "PATCH", target: "/api/todo/null", body: `{"data":{}}`}, 400, `"parameter":"id"`},
		{"bad uuid relation", req{method: "GET", target: "/api/todo/1234/tag_id"}, 400, `"parameter":"id"`},
		{"bad page size", req{method: "GET", target: "/api/todo?page[size]=-1"}, 400, `"parameter":"page[size]"`},
		{"non-int page size", req{method: "GET", target: "/api/todo?page%5Bsize%5D=ten"}, 400, `"parameter":"page[size]"`},
		{"bad page number", req{method: "GET", target: "/api/todo?page[number]=1.5"}, 400, `"parameter":"page[number]"`},
		{"bad cursor", req{method: "GET", target: "/api/todo?page[after]=abc"}, 400, `"parameter":"page[after]"`},
		{"bad query json", req{method: "GET", target: `/api/todo?query=[{"column":`}, 400, `"source":{"parameter":"query"}`},
		{"query not array", req{method: "GET", target: `/api/todo?query={}`}, 400, `"parameter":"query"`},
		{"invalid json", req{method: "POST", target: "/api/todo", body: `{"data":{"type":"todo","attributes":{"title":`}, 400, `"title":"invalid body"`},
		{"trailing garbage", req{method: "POST", target: "/api/todo", body: `{"data":{"type":"todo"}}}`}, 400, `"title":"invalid body"`},
		{"empty body", req{method: "POST", target: "/api/todo"}, 400, `"title":"invalid body"`},
		{"no data", req{method: "POST", target: "/api/todo", body: `{"title":"no envelope"}`}, 400, `"pointer":"/data"`},
		{"data not object", req{method: "POST", target: "/api/todo", body: `{"data":[]}`}, 400, `"pointer":"/data"`},
		{"attributes not object", req{method: "POST", target: "/api/todo", body: `{"data":{"type":"todo","attributes":[1]}}`}, 400, `"pointer":"/data/attributes"`},
		{"bad relationship", req{method: "POST", target: "/api/todo", body: `{"data":{"attributes":{},"relationships":{"tag_id":{"data":5}}}}`}, 400, `"pointer":"/data/relationships/tag_id/data"`},
		{"bad ref id", req{method: "POST", target: "/api/todo", body: `{"data":{"relationships":{"tag_id":{"data":[{"type":"tag","id":"x"}]}}}}`}, 400, `"pointer":"/data/relationships/tag_id/data/0/id"`},
		{"bad data id", req{method: "POST", target: "/api/todo", body: `{"data":{"id":"x"}}`}, 400, `"pointer":"/data/id"`},
		{"type mismatch", req{method: "POST", target: "/api/todo", body: `{"data":{"type":"user_account","attributes":{"title":"wrong type"}}}`}, 409, `"pointer":"/data/type"`},
		{"patch type mismatch", req{method: "PATCH", target: "/api/todo/" + id1, body: `{"data":{"type":"tag"}}`}, 409, `"status":"409"`},
		{"patch id mismatch", req{method: "PATCH", target: "/api/todo/" + id1, body: `{"data":{"type":"todo","id":"` + id2 + `","attributes":{"title":"mismatch"}}}`}, 409, `"pointer":"/data/id"`},
		{"too large", req{method: "POST", target: "/api/todo", body: big}, 413, `"status":"413"`},
		{"unknown relation", req{method: "GET", target: "/api/todo/" + id1 + "/project"}, 404, `"status":"404"`},
		{"relationship null on post", req{method: "POST", target: "/api/todo/" + id1 + "/relationships/tag_id", body: `{"data":null}`}, 400, `"pointer":"/data"`},
		{"mine as guest", req{method: "GET", target: "/api/user_account/mine"}, 401, `"status":"401"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.add("todo", resource.Row{RefID: id1, Attrs: map[string]any{}})
			w := do(t, newHandler(f), tc.req)
			if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("got %d %s\nwant %d …%s…", w.Code, w.Body, tc.code, tc.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != ContentType {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.HasPrefix(w.Body.String(), `{"errors":[{"status":"`) {
				t.Errorf("not an error document: %s", w.Body)
			}
		})
	}
}

func TestQueryMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target string
		want         resource.Query
		included     bool
	}{
		{"defaults", "/api/todo", resource.Query{}, false},
		{"paging and cursor", "/api/todo?page%5Bnumber%5D=3&page%5Bsize%5D=7&page[after]=" + id2,
			resource.Query{PageNumber: 3, PageSize: 7, After: id2}, false},
		{"sort", "/api/todo?sort=-created_at,%2Btitle,+done,priority",
			resource.Query{Sort: []resource.SortKey{{Column: "created_at", Desc: true}, {Column: "title"}, {Column: "done"}, {Column: "priority"}}}, false},
		{"keyword", "/api/todo?filter=milk", resource.Query{Keyword: "milk"}, false},
		{"keyword list form", "/api/todo?filter%5B%5D=milk", resource.Query{Keyword: "milk"}, false},
		{"query json", `/api/todo?query=[{"column":"priority","operator":"lt","value":5,"logical_group":"g1"},{"column":"title","operator":"like","value":"%25a,b%25"},{"column":"x","operator":"in","value":[1.5,null,"s"]}]`,
			resource.Query{Conditions: []resource.Condition{
				{Column: "priority", Operator: "lt", Value: int64(5), LogicalGroup: "g1"},
				{Column: "title", Operator: "like", Value: "%a,b%"},
				{Column: "x", Operator: "in", Value: []any{1.5, nil, "s"}},
			}}, false},
		{"include merged", "/api/todo?included_relations=assignee_id,tag_id&include=tag_id,user_account_id",
			resource.Query{Include: []string{"tag_id", "user_account_id", "assignee_id"}}, true},
		{"fields", "/api/todo?fields=title,done", resource.Query{Fields: []string{"title", "done"}}, false},
		{"empty values", "/api/todo?page[number]=&page[size]=&assignee_id=&sort=", resource.Query{}, false},
		{"page 0 is 1", "/api/todo?page[number]=0", resource.Query{PageNumber: 1}, false},
		{"relation filters", "/api/todo?assignee_id=" + alice + "," + bob + "&tag_id=" + tagID + "&token=t&group=x&page[offset]=3",
			resource.Query{RelFilters: map[string][]string{"assignee_id": {alice, bob}, "tag_id": {tagID}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			w := do(t, newHandler(f), req{method: "GET", target: tc.target})
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := f.query(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("query\n got %#v\nwant %#v", got, tc.want)
			}
			if got := strings.HasSuffix(w.Body.String(), `,"included":[]}`); got != tc.included {
				t.Errorf("included shown = %v, want %v: %s", got, tc.included, w.Body)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	body := `{"data":{"type":"todo","id":"` + id2 + `","attributes":{"title":"Buy milk","n":9007199254740993,"f":1.5,"e":1e3,"nested":{"k":[1,2.5]}},` +
		`"relationships":{"assignee_id":{"data":{"type":"user_account","id":"` + bob + `"}},"tag_id":{"data":[]},"usergroup_id":{"data":null}}}}`
	tests := []struct {
		name     string
		header   map[string]string
		code     int
		location string
		validate bool
	}{
		{"vnd content type", map[string]string{"Content-Type": "application/vnd.api+json"}, 201, "/api/todo/" + id2, false},
		{"plain json", map[string]string{"Content-Type": "application/json"}, 201, "/api/todo/" + id2, false},
		{"no content type", nil, 201, "/api/todo/" + id2, false},
		{"validate only", map[string]string{"Validate-Only": "true"}, 200, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			w := do(t, newHandler(f), req{method: "POST", target: "/api/todo", body: body, header: tc.header})
			if w.Code != tc.code {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := w.Header().Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			in := f.lastCall().In
			want := resource.Input{ID: id2, ValidateOnly: tc.validate,
				Attributes: map[string]any{"title": "Buy milk", "n": int64(9007199254740993), "f": 1.5, "e": 1000.0,
					"nested": map[string]any{"k": []any{int64(1), 2.5}}},
				Relationships: map[string]resource.RelInput{
					"assignee_id":  {Refs: []resource.Ref{{Type: "user_account", ID: bob}}},
					"tag_id":       {Refs: []resource.Ref{}},
					"usergroup_id": {Null: true},
				}}
			if !reflect.DeepEqual(in, want) {
				t.Errorf("input\n got %#v\nwant %#v", in, want)
			}
			if !strings.HasPrefix(w.Body.String(), `{"data":{"type":"todo","id":"`+id2+`","attributes":{`) {
				t.Errorf("body %s", w.Body)
			}
		})
	}
}

func TestUpdateDeleteOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		req        req
		code       int
		body       string // exact, when set
		allow      string
		wantCall   string
		wantAttrs  map[string]any
		wantValOnl bool
	}{
		{"patch without id", req{method: "PATCH", target: "/api/todo/" + id1, body: `{"data":{"type":"todo","attributes":{"done":true}}}`},
			200, "", "", "update", map[string]any{"done": true}, false},
		{"patch same id other case", req{method: "PATCH", target: "/api/todo/" + id1, body: `{"data":{"type":"todo","id":"` + strings.ToUpper(id1) + `"}}`},
			200, "", "", "update", map[string]any{}, false},
		{"patch validate only", req{method: "PATCH", target: "/api/todo/" + id1, body: `{"data":{"attributes":{"n":1}}}`, header: map[string]string{"Validate-Only": "true"}},
			200, "", "", "update", map[string]any{"n": int64(1)}, true},
		{"delete", req{method: "DELETE", target: "/api/todo/" + id1}, 200, `{"meta":null}`, "", "delete", nil, false},
		{"options collection", req{method: "OPTIONS", target: "/api/todo"}, 204, "", AllowCollection, "", nil, false},
		{"options item", req{method: "OPTIONS", target: "/api/todo/" + id1}, 204, "", AllowItem, "", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.add("todo", resource.Row{RefID: id1, Attrs: map[string]any{"title": "x"}})
			w := do(t, newHandler(f), tc.req)
			if w.Code != tc.code {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if tc.body != "" && w.Body.String() != tc.body {
				t.Errorf("body %q, want %q", w.Body, tc.body)
			}
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			c := f.lastCall()
			if c.Op != tc.wantCall {
				t.Fatalf("call %q, want %q", c.Op, tc.wantCall)
			}
			if c.Op == "update" && (!reflect.DeepEqual(c.In.Attributes, tc.wantAttrs) || c.In.ValidateOnly != tc.wantValOnl || c.In.ID != "" || c.ID != id1) {
				t.Errorf("update input %#v", c)
			}
		})
	}
}

func TestRelationshipRoutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		req    req
		code   int
		body   string // exact, when set
		call   string
		refs   []resource.Ref
		inline bool
	}{
		{"linkage to-one", req{method: "GET", target: "/api/todo/" + id1 + "/relationships/assignee_id"}, 200,
			`{"data":{"type":"user_account","id":"` + bob + `"}}`, "", nil, false},
		{"linkage to-one empty", req{method: "GET", target: "/api/todo/" + id2 + "/relationships/assignee_id"}, 200, `{"data":null}`, "", nil, false},
		{"linkage to-many empty", req{method: "GET", target: "/api/todo/" + id2 + "/relationships/tag_id"}, 200, `{"data":[]}`, "", nil, false},
		{"related to-one", req{method: "GET", target: "/api/todo/" + id1 + "/assignee_id"}, 200,
			`{"data":{"type":"user_account","id":"` + bob + `","attributes":{"name":"Bob"},"relationships":{"todo_id":{"data":[]}}}}`, "", nil, false},
		{"related to-one empty", req{method: "GET", target: "/api/todo/" + id2 + "/assignee_id"}, 200, `{"data":null}`, "", nil, false},
		{"related to-many", req{method: "GET", target: "/api/todo/" + id1 + "/tag_id"}, 200,
			`{"data":[{"type":"tag","id":"` + tagID + `","attributes":{},"relationships":{}}]}`, "", nil, false},
		{"related to-many paged", req{method: "GET", target: "/api/todo/" + id1 + "/tag_id?page[number]=1&page[size]=5"}, 200,
			`{"links":{"current_page":1,"from":0,"last_page":1,"per_page":5,"to":5,"total":1},"data":[{"type":"tag","id":"` + tagID + `","attributes":{},"relationships":{}}]}`, "", nil, false},
		{"related to-many include", req{method: "GET", target: "/api/todo/" + id1 + "/tag_id?include=x"}, 200,
			`{"data":[{"type":"tag","id":"` + tagID + `","attributes":{},"relationships":{}}],"included":[]}`, "", nil, false},
		{"patch adds", req{method: "PATCH", target: "/api/todo/" + id1 + "/relationships/tag_id", body: `{"data":[{"type":"tag","id":"` + tagID + `"}]}`}, 204, "", "add",
			[]resource.Ref{{Type: "tag", ID: tagID}}, false},
		{"post adds", req{method: "POST", target: "/api/todo/" + id1 + "/relationships/assignee_id", body: `{"data":{"type":"user_account","id":"` + alice + `"}}`}, 204, "", "add",
			[]resource.Ref{{Type: "user_account", ID: alice}}, false},
		{"delete removes", req{method: "DELETE", target: "/api/todo/" + id1 + "/relationships/tag_id", body: `{"data":[{"type":"tag","id":"` + tagID + `"}]}`}, 204, "", "remove",
			[]resource.Ref{{Type: "tag", ID: tagID}}, false},
		{"patch null clears", req{method: "PATCH", target: "/api/todo/" + id1 + "/relationships/assignee_id", body: `{"data":null}`}, 204, "", "remove", nil, false},
		{"unknown row", req{method: "PATCH", target: "/api/todo/" + nobody + "/relationships/tag_id", body: `{"data":[]}`}, 404, "", "add", []resource.Ref{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.add("todo", resource.Row{RefID: id1, Attrs: map[string]any{"assignee_id": bob}})
			f.add("todo", resource.Row{RefID: id2, Attrs: map[string]any{}})
			f.add("user_account", resource.Row{RefID: bob, Attrs: map[string]any{"name": "Bob"}})
			f.add("tag", resource.Row{RefID: tagID})
			f.linkage["todo/"+id1+"/assignee_id"] = []resource.Ref{{Type: "user_account", ID: bob}}
			f.linkage["todo/"+id1+"/tag_id"] = []resource.Ref{{Type: "tag", ID: tagID}}
			w := do(t, newHandler(f), tc.req)
			if w.Code != tc.code {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if tc.body != "" && w.Body.String() != tc.body {
				t.Errorf("body\n got %s\nwant %s", w.Body, tc.body)
			}
			if tc.code == 204 && w.Body.Len() != 0 {
				t.Errorf("204 with body %q", w.Body)
			}
			c := f.lastCall()
			if c.Op != tc.call || (tc.call != "" && !reflect.DeepEqual(c.Refs, tc.refs)) {
				t.Errorf("call %#v, want %s %#v", c, tc.call, tc.refs)
			}
		})
	}
}

func TestMine(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.add("user_account", resource.Row{RefID: bob, Attrs: map[string]any{"name": "Bob"}})
	p := auth.Principal{UserID: 2, UserRef: bob, Email: "bob@example.com"}
	w := do(t, newHandler(f), req{method: "GET", target: "/api/user_account/mine", principal: &p})
	want := `{"data":{"type":"user_account","id":"` + bob + `","attributes":{"name":"Bob"},"relationships":{"todo_id":{"data":[]}}}}`
	if w.Code != http.StatusOK || w.Body.String() != want {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
}

func TestInternalErrorHidden(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.failAll = io.ErrUnexpectedEOF
	w := do(t, newHandler(f), req{method: "GET", target: "/api/todo"})
	if w.Code != 500 || strings.Contains(w.Body.String(), "EOF") || !strings.Contains(w.Body.String(), `"title":"internal error","detail":"request id `) {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
}
