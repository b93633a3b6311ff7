package dialects

import (
	"net/http"
	"testing"
	"time"
)

// TestDaybedRefusals sends bad input, then bad Hawk requests, to one
// server, and round-trips a record with a field of every type.
func TestDaybedRefusals(t *testing.T) {
	t.Parallel()
	e := newDaybedEnv(t)
	if t.Run("BadInput", func(t *testing.T) { daybedBadInput(t, e) }) {
		t.Run("HawkRefusals", func(t *testing.T) { daybedHawkRefusals(t, e) })
	}
	t.Run("FieldTypes", func(t *testing.T) { daybedFieldTypes(t, e) })
}

func daybedBadInput(t *testing.T, e *daybedEnv) {
	s, c := e.s, &e.creds
	must(t, hawkDo(t, s, c, http.MethodPut, "/v1/models/todo", map[string]any{"definition": todoDefinition}, nil), 200)
	cases := []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"unknown model", "GET", "/v1/models/nope/definition", nil, 404},
		{"unknown model records", "POST", "/v1/models/nope/records", map[string]any{"item": "x"}, 404},
		{"invalid model name", "PUT", "/v1/models/Bad-Name", map[string]any{"definition": todoDefinition}, 400},
		{"existing non-Daybed table", "PUT", "/v1/models/user_account", map[string]any{"definition": todoDefinition}, 400},
		{"definition missing", "PUT", "/v1/models/other", map[string]any{}, 400},
		{"definition without title", "PUT", "/v1/models/other", map[string]any{"definition": map[string]any{"description": "d", "fields": []any{map[string]any{"name": "a", "type": "int"}}}}, 400},
		{"unknown field type", "PUT", "/v1/models/other", map[string]any{"definition": map[string]any{"title": "t", "description": "d", "fields": []any{map[string]any{"name": "a", "type": "nope"}}}}, 400},
		{"enum without choices", "PUT", "/v1/models/other", map[string]any{"definition": map[string]any{"title": "t", "description": "d", "fields": []any{map[string]any{"name": "a", "type": "enum"}}}}, 400},
		{"body not an object", "POST", "/v1/models/todo/records", "42", 400},
		{"record bad enum", "POST", "/v1/models/todo/records", map[string]any{"item": "x", "status": "nope"}, 400},
		{"record missing field", "POST", "/v1/models/todo/records", map[string]any{"status": "done"}, 400},
		{"record unknown field", "POST", "/v1/models/todo/records", map[string]any{"item": "x", "status": "done", "extra": 1}, 400},
		{"record wrong type", "POST", "/v1/models/todo/records", map[string]any{"item": 42, "status": "done"}, 400},
		{"record id not found", "GET", "/v1/models/todo/records/not-an-id", nil, 404},
		{"unknown permission", "PATCH", "/v1/models/todo/permissions", map[string]any{"Everyone": []string{"+fly"}}, 400},
		{"unknown principal", "PATCH", "/v1/models/todo/permissions", map[string]any{"deadbeef": []string{"+read_definition"}}, 400},
		{"permissions not an object", "PUT", "/v1/models/todo/permissions", `["ALL"]`, 400},
	}
	for _, tc := range cases {
		r := hawkDo(t, s, c, tc.method, tc.path, tc.body, nil)
		if r.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
			continue
		}
		if m := r.Map(t); m["status"] != "error" || len(m["errors"].([]any)) == 0 {
			t.Errorf("%s: not a Daybed error body: %s", tc.name, r.Body)
		}
	}
	// Nothing was written: no record, no other model, permissions unchanged.
	if r := must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models/todo", nil, nil), 200).Map(t); len(r["records"].([]any)) != 0 || len(r["permissions"].(map[string]any)) != 1 {
		t.Errorf("refused requests wrote: %v", r)
	}
	if r := must(t, hawkDo(t, s, c, http.MethodGet, "/v1/models", nil, nil), 200).Map(t); len(r["models"].([]any)) != 1 {
		t.Errorf("models after refusals: %v", r)
	}
}

func daybedHawkRefusals(t *testing.T, e *daybedEnv) {
	s, c := e.s, e.creds
	must(t, hawkDo(t, s, &c, http.MethodPut, "/v1/models/todo", map[string]any{"definition": todoDefinition}, nil), 200)
	url := s.URL + "/v1/models/todo/records"
	body := []byte(`{"item":"x","status":"done"}`)
	good := hawkAuth(c, "POST", url, body, "application/json", time.Now(), "n1")
	wrongKey := c
	wrongKey.key = otherFirstByte(c.key)
	cases := []struct{ name, header string }{
		{"bad MAC", hawkAuth(wrongKey, "POST", url, body, "application/json", time.Now(), "n2")},
		{"old timestamp", hawkAuth(c, "POST", url, body, "application/json", time.Now().Add(-10*time.Minute), "n3")},
		{"body changed", hawkAuth(c, "POST", url, []byte(`{"item":"y","status":"done"}`), "application/json", time.Now(), "n4")},
		{"unknown id", hawkAuth(hawkCreds{id: otherFirstByte(c.id), key: c.key}, "POST", url, body, "application/json", time.Now(), "n5")},
		{"malformed", `Hawk id="x", mac=`},
		{"missing mac", `Hawk id="` + c.id + `", ts="1", nonce="n"`},
	}
	for _, tc := range cases {
		r := hawkDo(t, s, nil, "POST", "/v1/models/todo/records", string(body), map[string]string{"Authorization": tc.header, "Content-Type": "application/json"})
		if r.Status != 401 || r.Map(t)["error"] != "401 Unauthorized" {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	// The good header works once; its replay is refused.
	hdr := map[string]string{"Authorization": good, "Content-Type": "application/json"}
	must(t, hawkDo(t, s, nil, "POST", "/v1/models/todo/records", string(body), hdr), 201)
	if r := hawkDo(t, s, nil, "POST", "/v1/models/todo/records", string(body), hdr); r.Status != 401 {
		t.Errorf("replay: %d %s", r.Status, r.Body)
	}
	if r := must(t, hawkDo(t, s, &c, http.MethodGet, "/v1/models/todo/records", nil, nil), 200).Map(t); len(r["records"].([]any)) != 1 {
		t.Errorf("records after refusals: %v", r)
	}
}

// otherFirstByte returns s with its first character changed: a key or id
// that surely differs (replacing it with a fixed prefix left it unchanged
// whenever s began with that prefix, one run in 256).
func otherFirstByte(s string) string {
	if s[0] == '0' {
		return "1" + s[1:]
	}
	return "0" + s[1:]
}
