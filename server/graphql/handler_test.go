package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const gqlSchema = `
Tables:
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: rank, ColumnType: measurement, DataType: int(11), IsNullable: true}
  - TableName: tag
    Columns:
      - {Name: label, ColumnType: label}
Relations:
  - {Subject: tag, Relation: belongs_to, Object: todo}
Actions:
  - Name: shout
    Label: Shout
    OnType: todo
    InstanceOptional: true
    InFields:
      - {Name: word, ColumnName: word, ColumnType: label}
  - Name: fail
    Label: Fail
    OnType: todo
    InstanceOptional: true
`

type gqlAnswer struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// gqlServer serves the handler over a real service as the system user;
// exec records the actions it is asked to run.
func gqlServer(t *testing.T, enabled *bool, limits Limits, calls *[]string) *httptest.Server {
	t.Helper()
	res := resourcetest.New(t, gqlSchema)
	h := New(Deps{Res: func() resource.Service { return res }, Enabled: func() bool { return *enabled }, Limits: limits, MaxBody: 2048,
		Exec: func(_ context.Context, typ, name string, attrs map[string]any) (any, error) {
			*calls = append(*calls, typ+"/"+name)
			if name == "fail" {
				return nil, errors.New("boom")
			}
			b, _ := json.Marshal(attrs)
			return []map[string]any{{"ResponseType": "client.notify", "Attributes": map[string]any{"type": "success", "message": string(b)}}}, nil
		}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.System())))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, srv *httptest.Server, contentType, body string) (int, gqlAnswer, string) {
	t.Helper()
	resp, err := http.Post(srv.URL, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw strings.Builder
	var ans gqlAnswer
	_ = json.NewDecoder(teeReader{resp.Body, &raw}).Decode(&ans)
	return resp.StatusCode, ans, raw.String()
}

type teeReader struct {
	r interface{ Read([]byte) (int, error) }
	w *strings.Builder
}

func (t teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.w.Write(p[:n])
	return n, err
}

func query(q string) string { b, _ := json.Marshal(map[string]any{"query": q}); return string(b) }

func TestQueriesAndMutations(t *testing.T) {
	on := true
	var calls []string
	srv := gqlServer(t, &on, DefaultLimits(), &calls)
	code, ans, raw := post(t, srv, "application/json", query(`mutation { addTodo(title: "one", rank: 2) { reference_id title rank } }`))
	if code != 200 || len(ans.Errors) > 0 {
		t.Fatalf("add: %d %s", code, raw)
	}
	added, _ := ans.Data["addTodo"].(map[string]any)
	id, _ := added["reference_id"].(string)
	if id == "" || added["title"] != "one" {
		t.Fatalf("added: %v", added)
	}
	_, ans, raw = post(t, srv, "application/graphql", `mutation { updateTodo(reference_id: "`+id+`", title: "uno") { title } }`)
	if u, _ := ans.Data["updateTodo"].(map[string]any); u["title"] != "uno" {
		t.Errorf("update: %s", raw)
	}
	_, ans, raw = post(t, srv, "application/json", query(`{ todo { title } todoById(reference_id: "`+id+`") { title rank } }`))
	list, _ := ans.Data["todo"].([]any)
	one, _ := ans.Data["todoById"].(map[string]any)
	if len(list) != 1 || one["title"] != "uno" {
		t.Errorf("read: %s", raw)
	}
	// Variables and an operation name through GET.
	v := url.Values{"query": {`query Q($id: String!) { todoById(reference_id: $id) { title } }`}, "variables": {`{"id":"` + id + `"}`}, "operationName": {"Q"}}
	resp, err := http.Get(srv.URL + "?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var got gqlAnswer
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if one, _ := got.Data["todoById"].(map[string]any); resp.StatusCode != 200 || one["title"] != "uno" {
		t.Errorf("GET with variables: %d %+v", resp.StatusCode, got)
	}
	// A mutation through GET is refused.
	resp, err = http.Get(srv.URL + "?" + url.Values{"query": {`mutation { deleteTodo(reference_id: "` + id + `") { title } }`}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET mutation: %d %v", resp.StatusCode, resp.Header)
	}
	_, ans, raw = post(t, srv, "application/json", query(`mutation { deleteTodo(reference_id: "`+id+`") { title } }`))
	if len(ans.Errors) > 0 {
		t.Errorf("delete: %s", raw)
	}
	_, ans, raw = post(t, srv, "application/json", query(`{ todoById(reference_id: "`+id+`") { title } }`))
	if len(ans.Errors) == 0 || ans.Data["todoById"] != nil {
		t.Errorf("deleted row still read: %s", raw)
	} else if st, _ := ans.Errors[0].Extensions["status"].(float64); st != 404 {
		t.Errorf("deleted row status: %s", raw)
	}
	_, ans, raw = post(t, srv, "application/json", query(`mutation { deleteTodo { title } }`))
	if len(ans.Errors) == 0 || !strings.Contains(raw, "400") {
		t.Errorf("delete without id: %s", raw)
	}
}

func TestHandlerRefusals(t *testing.T) {
	on := true
	var calls []string
	lim := DefaultLimits()
	lim.MaxDepth = 3
	srv := gqlServer(t, &on, lim, &calls)
	for _, c := range []struct {
		ctype, body string
		status      int
		contains    string
	}{
		{"application/json", `{"query":`, 400, "body must be a JSON object"},
		{"application/json", `{"query":"  "}`, 400, "no query given"},
		{"application/json", query(`{ todo { `), 400, "Syntax Error"},
		{"application/json", query(`{ nosuch }`), 200, "nosuch"},
		{"application/json", query(`{ todo { title } }`) + strings.Repeat(" ", 3000), 413, ""},
		{"application/json", `{"query":"{ todo { title } }","variables":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":{"r":{"s":{"t":{"u":{"v":{"w":{"x":{"y":{"z":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}`, 400, "variables"},
		{"application/json", query(`{ todo { title } }`), 200, `"todo"`},
	} {
		code, _, raw := post(t, srv, c.ctype, c.body)
		if code != c.status || !strings.Contains(raw, c.contains) {
			t.Errorf("%.50s: %d %.200s, want %d %q", c.body, code, raw, c.status, c.contains)
		}
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT: %d %v", resp.StatusCode, resp.Header)
	}
	on = false
	if code, _, _ := post(t, srv, "application/json", query(`{ todo { title } }`)); code != http.StatusNotFound {
		t.Errorf("disabled: %d", code)
	}
	if len(calls) != 0 {
		t.Errorf("actions ran: %v", calls)
	}
}

func TestSchemaIsBuiltOncePerSchemaSnapshot(t *testing.T) {
	res := resourcetest.New(t, gqlSchema)
	h := New(Deps{Res: func() resource.Service { return res }, Enabled: func() bool { return true }})
	a, err := h.current()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.current()
	if a != b {
		t.Error("the schema was built twice for one snapshot")
	}
	q := a.gs.QueryType().Fields()
	for _, name := range []string{"todo", "todoById", "tag", "tagById"} {
		if q[name] == nil {
			t.Errorf("query field %s missing", name)
		}
	}
	m := a.gs.MutationType().Fields()
	for _, name := range []string{"addTodo", "updateTodo", "deleteTodo", "addTag"} {
		if m[name] == nil {
			t.Errorf("mutation field %s missing", name)
		}
	}
	add := m["addTodo"]
	var titleRequired, rankRequired bool
	for _, arg := range add.Args {
		switch arg.Name() {
		case "title":
			titleRequired = strings.HasSuffix(arg.Type.String(), "!")
		case "rank":
			rankRequired = strings.HasSuffix(arg.Type.String(), "!")
		case "reference_id", "created_at", "permission":
			t.Errorf("addTodo takes managed column %s", arg.Name())
		}
	}
	if !titleRequired || rankRequired {
		t.Errorf("addTodo: title required %v, rank required %v", titleRequired, rankRequired)
	}
}
