package dialects

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

// todoDefinition is the seed's todo model.
var todoDefinition = map[string]any{
	"title":       "todo",
	"description": "A list of my stuff to do",
	"fields": []any{
		map[string]any{"name": "item", "type": "string", "label": "The item"},
		map[string]any{"name": "status", "type": "enum", "choices": []any{"todo", "done"}, "label": "is it done or not"},
	},
}

func allPermissions() []any {
	names := []string{"create_record", "delete_all_records", "delete_model", "delete_own_records", "read_all_records",
		"read_definition", "read_own_records", "read_permissions", "update_all_records", "update_definition",
		"update_own_records", "update_permissions"}
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// daybedEnv is a server with a signed-up user (alice) and her Daybed
// credentials from Basic auth.
type daybedEnv struct {
	s      *testserver.Server
	admin  string
	alice  string // JSON:API session token
	creds  hawkCreds
	credID string
}

func newDaybedEnv(t testing.TB) *daybedEnv {
	t.Helper()
	s := testserver.Start(t)
	e := &daybedEnv{s: s, admin: s.Admin(t)}
	e.alice = s.User(t, "Alice", "alice@daybed.test", "alice-password")
	r := basicPost(t, s, "/v1/tokens", "alice@daybed.test", "alice-password")
	if r.Status != http.StatusCreated {
		t.Fatalf("tokens: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	e.creds = credsFromToken(t, m["token"].(string))
	e.credID = e.creds.id
	return e
}

func basicPost(t testing.TB, s *testserver.Server, path, user, pw string) testserver.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, nil)
	req.SetBasicAuth(user, pw)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body []byte
	body, _ = readAll(resp)
	return testserver.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

func TestDaybedSeedTokens(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	s.Admin(t)
	// Listing supported fields.
	r := must(t, s.Do(t, http.MethodGet, "/v1/fields", nil, ""), 200)
	var fields []map[string]any
	if err := json.Unmarshal(r.Body, &fields); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, f := range fields {
		byName[f["name"].(string)] = f
	}
	for _, n := range []string{"int", "string", "text", "decimal", "boolean", "email", "url", "enum", "choices", "range", "regex", "date", "datetime", "point", "line", "polygon"} {
		if byName[n] == nil || byName[n]["default_hint"] == "" {
			t.Errorf("field type %s missing: %s", n, r.Body)
		}
	}
	if p := byName["enum"]["parameters"].([]any)[0].(map[string]any); p["name"] != "choices" || p["type"] != "array" {
		t.Errorf("enum parameters: %v", byName["enum"])
	}

	// http POST http://localhost:8000/v1/tokens
	r = must(t, s.Do(t, http.MethodPost, "/v1/tokens", nil, ""), 201)
	m := r.Map(t)
	creds := m["credentials"].(map[string]any)
	want := credsFromToken(t, m["token"].(string))
	if creds["algorithm"] != "sha256" || creds["id"] != want.id || creds["key"] != want.key || len(m["token"].(string)) != 64 {
		t.Errorf("anonymous token %v", m)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
	// The new identity is a user: its credentials work.
	anon := credsFromToken(t, m["token"].(string))
	must(t, hawkDo(t, s, &anon, http.MethodGet, "/v1/models", nil, nil), 200)

	// http POST localhost:8000/v1/tokens --auth admin:password: 201, then 200 and the same token.
	s.SignUp(t, "Bob", "bob@daybed.test", "bob-password")
	first := basicPost(t, s, "/v1/tokens", "bob@daybed.test", "bob-password")
	second := basicPost(t, s, "/v1/tokens", "bob@daybed.test", "bob-password")
	if first.Status != 201 || second.Status != 200 || !reflect.DeepEqual(first.Map(t), second.Map(t)) {
		t.Errorf("basic tokens: %d %s / %d %s", first.Status, first.Body, second.Status, second.Body)
	}
	if r := basicPost(t, s, "/v1/tokens", "bob@daybed.test", "wrong"); r.Status != 401 || r.Map(t)["error"] != "401 Unauthorized" {
		t.Errorf("wrong password: %d %s", r.Status, r.Body)
	}
	// "You can create models without being authenticated": Everyone gets every permission.
	must(t, s.Do(t, http.MethodPut, "/v1/models/anon", map[string]any{"definition": todoDefinition}, ""), 200)
	if r := must(t, s.Do(t, http.MethodGet, "/v1/models/anon/permissions", nil, ""), 200); !reflect.DeepEqual(r.Map(t), map[string]any{"system.Everyone": allPermissions()}) {
		t.Errorf("anonymous model permissions: %s", r.Body)
	}
	// Password guessing shares the sign-in limit: after ten failures even
	// the right password waits.
	s.SignUp(t, "Eve", "eve@daybed.test", "eve-password")
	for range 10 {
		basicPost(t, s, "/v1/tokens", "eve@daybed.test", "guess")
	}
	if r := basicPost(t, s, "/v1/tokens", "eve@daybed.test", "eve-password"); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("after ten failures: %d %s", r.Status, r.Body)
	}
	// With signup closed, no anonymous identities and no anonymous models.
	ctx := context.Background()
	if err := s.Srv.ConfigStore().Set(ctx, resource.ConfigBackend, resource.KeySignupEnabled, "false"); err != nil {
		t.Fatal(err)
	}
	must(t, s.Do(t, http.MethodPost, "/v1/tokens", nil, ""), 403)
	must(t, s.Do(t, http.MethodPut, "/v1/models/anon2", map[string]any{"definition": todoDefinition}, ""), 401)
}

func TestDaybedSeedModelFlow(t *testing.T) {
	t.Parallel()
	e := newDaybedEnv(t)
	s, c := e.s, &e.creds

	// PUT /v1/models/todo with the token (Hawk).
	r := must(t, hawkDo(t, s, c, http.MethodPut, "/v1/models/todo", map[string]any{"definition": todoDefinition}, nil), 200)
	if got := r.Map(t); !reflect.DeepEqual(got, map[string]any{"id": "todo"}) {
		t.Errorf("put model: %s", r.Body)
	}
	// GET /models
	r = must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models", nil, nil), 200)
	if got := r.Map(t)["models"]; !reflect.DeepEqual(got, []any{map[string]any{"description": "A list of my stuff to do", "id": "todo", "title": "todo"}}) {
		t.Errorf("models: %s", r.Body)
	}
	// GET /v1/models/{modelname}
	r = must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo", nil, nil), 200)
	model := r.Map(t)
	if !reflect.DeepEqual(model["permissions"], map[string]any{e.credID: allPermissions()}) ||
		!reflect.DeepEqual(model["definition"], roundTrip(t, todoDefinition)) || !reflect.DeepEqual(model["records"], []any{}) {
		t.Errorf("model: %s", r.Body)
	}
	// POST /v1/models/{modelname}/records
	r = must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models/todo/records", map[string]any{"item": "work on daybed", "status": "done"}, nil), 201)
	id := r.Map(t)["id"].(string)
	if loc := r.Header.Get("Location"); loc != s.URL+"/v1/models/todo/records/"+id {
		t.Errorf("Location %q", loc)
	}
	// Validate-Only stores nothing.
	must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models/todo/records", map[string]any{"item": "only validated", "status": "todo"}, map[string]string{"Validate-Only": "true"}), 200)
	r = must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models/todo/records", map[string]any{"item": "bad", "status": "nope"}, map[string]string{"Validate-Only": "true"}), 400)
	if errs := r.Map(t)["errors"].([]any); r.Map(t)["status"] != "error" || errs[0].(map[string]any)["name"] != "status" || errs[0].(map[string]any)["location"] != "body" {
		t.Errorf("validation error body %s", r.Body)
	}
	// GET /v1/models/{modelname}/records
	r = must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo/records", nil, nil), 200)
	if got := r.Map(t)["records"]; !reflect.DeepEqual(got, []any{map[string]any{"id": id, "item": "work on daybed", "status": "done"}}) {
		t.Errorf("records: %s", r.Body)
	}
	// GET /v1/models/{modelname}/definition
	r = must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo/definition", nil, nil), 200)
	if !reflect.DeepEqual(r.Map(t), roundTrip(t, todoDefinition)) {
		t.Errorf("definition: %s", r.Body)
	}
	// GET /v1/models/{modelname}/permissions
	r = must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo/permissions", nil, nil), 200)
	if !reflect.DeepEqual(r.Map(t), map[string]any{e.credID: allPermissions()}) {
		t.Errorf("permissions: %s", r.Body)
	}
	// PATCH {"Everyone": ["+read_all_records"]}
	r = must(t, hawkDo(t, s, c, http.MethodPatch, "/v1/models/todo/permissions", map[string]any{"Everyone": []string{"+read_all_records"}}, nil), 200)
	if !reflect.DeepEqual(r.Map(t), map[string]any{e.credID: allPermissions(), "system.Everyone": []any{"read_all_records"}}) {
		t.Errorf("patched: %s", r.Body)
	}
	// PUT {"Everyone": ["read_definition"], "Authenticated": ["ALL"]}
	r = must(t, hawkDo(t, s, c, http.MethodPut, "/v1/models/todo/permissions", map[string]any{"Everyone": []string{"read_definition"}, "Authenticated": []string{"ALL"}}, nil), 200)
	want := map[string]any{"system.Authenticated": allPermissions(), "system.Everyone": []any{"read_definition"}}
	if !reflect.DeepEqual(r.Map(t), want) {
		t.Errorf("put permissions: %s", r.Body)
	}
	if r := must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo/permissions", nil, nil), 200); !reflect.DeepEqual(r.Map(t), want) {
		t.Errorf("GET after PUT: %s", r.Body)
	}
	// Everyone may read the definition now, but not the model.
	must(t, s.Do(t, http.MethodGet, "/v1/models/todo/definition", nil, ""), 200)
	if r := s.Do(t, http.MethodGet, "/v1/models/todo", nil, ""); r.Status != 401 || r.Map(t)["error"] != "401 Unauthorized" {
		t.Errorf("anonymous model read: %d %s", r.Status, r.Body)
	}
	// POST /v1/models: a random name.
	r = must(t, hawkDo(t, s, c, http.MethodPost, "/v1/models", map[string]any{"definition": todoDefinition}, nil), 200)
	rnd := r.Map(t)["id"].(string)
	must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/"+rnd+"/definition", nil, nil), 200)
	daybedRecordAndModelEnd(t, e, id, rnd)
}

// daybedRecordAndModelEnd patches, replaces, reads and deletes a record,
// then deletes a model.
func daybedRecordAndModelEnd(t *testing.T, e *daybedEnv, id, rnd string) {
	s, c := e.s, &e.creds
	// PATCH, PUT, GET, DELETE of one record.
	r := must(t, hawkDo(t, s, c, http.MethodPatch, "/v1/models/todo/records/"+id, map[string]any{"status": "todo"}, nil), 200)
	if r.Map(t)["status"] != "todo" || r.Map(t)["item"] != "work on daybed" {
		t.Errorf("patch record: %s", r.Body)
	}
	must(t, hawkDo(t, s, c, http.MethodPut, "/v1/models/todo/records/"+id, map[string]any{"item": "replaced", "status": "done"}, nil), 200)
	if r := must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo/records/"+id, nil, nil), 200); r.Map(t)["item"] != "replaced" {
		t.Errorf("get record: %s", r.Body)
	}
	must(t, hawkDo(t, s, c, http.MethodDelete, "/v1/models/todo/records/"+id, nil, nil), 200)
	must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo/records/"+id, nil, nil), 404)
	// DELETE a model (Authenticated holds ALL on todo).
	must(t, hawkDo(t, s, c, http.MethodDelete, "/v1/models/"+rnd, nil, nil), 200)
	must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/"+rnd+"/definition", nil, nil), 404)
}

// roundTrip returns v as JSON decoding gives it back.
func roundTrip(t testing.TB, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
