package databite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/memres"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

const petsSpec = `openapi: 3.0.3
info: {title: Pets, version: "1"}
servers: [{url: "%s"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses: {"200": {description: ok}}
  /whoami:
    get:
      operationId: whoami
      responses: {"200": {description: ok}}
  /nolist:
    get:
      operationId: nolist
      responses: {"200": {description: ok}}
`

const petTable = `
Tables:
  - TableName: pet
    Columns:
      - {Name: name, ColumnType: label}
`

// routeEnv is the Databite routes over an in-memory resource layer, an
// engine with one installed provider (pets) and a fake upstream.
type routeEnv struct {
	res *memres.Res
	h   http.Handler
}

func newRouteEnv(t *testing.T, limits Limits) *routeEnv {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pets":
			_, _ = io.WriteString(w, `{"data":[{"name":"a","id":1,"junk":true},{"name":"b"}]}`)
		case "/whoami":
			_ = json.NewEncoder(w).Encode(map[string]any{"auth": r.Header.Get("Authorization")})
		default:
			_, _ = io.WriteString(w, `{"nothing":1}`)
		}
	}))
	t.Cleanup(up.Close)
	f, err := schema.Parse("t.yaml", []byte(petTable))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "t.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	res := memres.New()
	res.Sc = sc
	ref := res.Put("integration", "int-1", map[string]any{"name": "pets", "enable": true, "authentication_type": "none",
		"specification": fmt.Sprintf(petsSpec, up.URL)})
	eng := integrations.New(integrations.Options{Res: func() resource.Service { return res },
		Decrypt: func(s string) (string, error) { return s, nil }, Timeout: time.Second, MaxResponse: 1 << 20})
	if _, err := eng.Providers.Install(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	// X-User stands for a signed-in user; none is a guest.
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if u := req.Header.Get("X-User"); u != "" {
				req = req.WithContext(auth.WithPrincipal(req.Context(), auth.Principal{UserID: 1, UserRef: u}))
			}
			next.ServeHTTP(w, req)
		})
	})
	d := Deps{Engine: eng, Res: func() resource.Service { return res }, Log: slog.New(slog.DiscardHandler), Limits: limits, MaxBody: 1 << 10}
	r.Route("/api", func(r chi.Router) { Mount(r, d) })
	MountIntegration(r, d)
	return &routeEnv{res: res, h: r}
}

// do sends one request and returns the status and decoded JSON body.
func (e *routeEnv) do(method, path, body, user string) (int, any) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("X-User", user)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	var v any
	if json.Unmarshal(w.Body.Bytes(), &v) != nil {
		v = w.Body.String()
	}
	return w.Code, v
}

func field(v any, k string) any {
	m, _ := v.(map[string]any)
	return m[k]
}

func TestRoutes(t *testing.T) {
	e := newRouteEnv(t, Limits{})
	code, conn := e.do(http.MethodPost, "/api/connections", `{"integrationId":"pets","config":{"accessToken":"tok-1"}}`, "u1")
	if code != http.StatusCreated || field(conn, "integrationId") != "pets" {
		t.Fatalf("add connection: %d %v", code, conn)
	}
	cid, _ := field(conn, "id").(string)
	tests := []struct {
		name, method, path, body, user string
		status                         int
		want                           string // in the JSON text of the answer
	}{
		{"guest refused", http.MethodGet, "/api/connectors", "", "", 401, `"error":"authentication required"`},
		{"connectors", http.MethodGet, "/api/connectors", "", "u1", 200, `"actions":["listPets","nolist","whoami"]`},
		{"one connector", http.MethodGet, "/api/connectors/pets", "", "u1", 200, `"authKinds":["none"]`},
		{"unknown connector", http.MethodGet, "/api/connectors/nope", "", "u1", 404, `"error":"Connector not found"`},
		{"integrations", http.MethodGet, "/api/integrations", "", "u1", 200, `"installed":true`},
		{"one integration", http.MethodGet, "/api/integrations/int-1", "", "u1", 200, `"name":"pets"`},
		{"unknown integration", http.MethodGet, "/api/integrations/x", "", "u1", 404, `"error":"Integration not found"`},
		{"connections", http.MethodGet, "/api/connections", "", "u1", 200, `"id":"` + cid + `"`},
		{"one connection", http.MethodGet, "/api/connections/" + cid, "", "u1", 200, `"status":"active"`},
		{"unknown connection", http.MethodGet, "/api/connections/nope", "", "u1", 404, `"error":"Connection not found"`},
		{"connection without provider", http.MethodPost, "/api/connections", `{"config":{}}`, "u1", 400, "integrationId is required"},
		{"connection without config", http.MethodPost, "/api/connections", `{"integrationId":"pets"}`, "u1", 400, "config must be an object"},
		{"connection to unknown provider", http.MethodPost, "/api/connections", `{"integrationId":"x","config":{}}`, "u1", 404, "Integration not found"},
		{"bad JSON", http.MethodPost, "/api/connections", `{`, "u1", 400, "not a JSON object"},
		{"body too large", http.MethodPost, "/api/connections", `{"x":"` + strings.Repeat("a", 2<<10) + `"}`, "u1", 413, "too large"},
		{"actions of a connector", http.MethodGet, "/api/actions/pets", "", "u1", 200, `"name":"whoami"`},
		{"actions of an unknown connector", http.MethodGet, "/api/actions/nope", "", "u1", 404, "Connector not found"},
		{"execute with the connection's token", http.MethodPost, "/api/actions/execute/" + cid + "/whoami", `{}`, "u1", 200, `"auth":"Bearer tok-1"`},
		{"execute an unknown operation", http.MethodPost, "/api/actions/execute/" + cid + "/nope", `{}`, "u1", 404, "no operation"},
		{"sync without table", http.MethodPost, "/api/sync/execute/" + cid + "/listPets", `{}`, "u1", 400, "table is required"},
		{"sync into an unknown table", http.MethodPost, "/api/sync/execute/" + cid + "/listPets", `{"table":"nope"}`, "u1", 404, "no table"},
		{"sync an answer without records", http.MethodPost, "/api/sync/execute/" + cid + "/nolist", `{"table":"pet"}`, "u1", 502, "no list of records"},
		{"sync", http.MethodPost, "/api/sync/execute/" + cid + "/listPets", `{"table":"pet"}`, "u1", 200, `"records":2`},
		{"sync jobs", http.MethodGet, "/api/sync/jobs", "", "u1", 200, `[]`},
		{"sync jobs of an unknown connection", http.MethodGet, "/api/sync/jobs/nope", "", "u1", 404, "Connection not found"},
		{"operations", http.MethodGet, "/integration/pets/operations", "", "u1", 200, `"operationId":"listPets"`},
		{"one operation", http.MethodGet, "/integration/pets/operations/whoami", "", "u1", 200, `"path":"/whoami"`},
		{"unknown operation", http.MethodGet, "/integration/pets/operations/nope", "", "u1", 404, "operation [nope] not found"},
		{"unknown provider", http.MethodGet, "/integration/nope/operations", "", "u1", 404, "integration provider [nope] is not installed or enabled"},
		{"call", http.MethodPost, "/integration/pets/whoami", `{"credential_id":"` + cid + `"}`, "u1", 200, `"auth":"Bearer tok-1"`},
		{"call with bad JSON", http.MethodPost, "/integration/pets/whoami", `{`, "u1", 400, "not valid JSON"},
		{"call too large", http.MethodPost, "/integration/pets/whoami", strings.Repeat(" ", 2<<10), "u1", 413, "too large"},
	}
	for _, tc := range tests {
		code, v := e.do(tc.method, tc.path, tc.body, tc.user)
		js, _ := json.Marshal(v)
		if code != tc.status || !strings.Contains(string(js), tc.want) {
			t.Errorf("%s: %s %s = %d %s, want %d with %s", tc.name, tc.method, tc.path, code, js, tc.status, tc.want)
		}
	}
	if rows := e.res.Rows("pet"); len(rows) != 2 || rows[0].Attrs["junk"] != nil || rows[0].Attrs["id"] != nil {
		t.Errorf("synced rows: %v", rows)
	}
	for _, row := range e.res.Rows("credential") {
		if !strings.Contains(fmt.Sprint(row.Attrs["content"]), "tok-1") || row.Attrs["name"] != "connection:pets" {
			t.Errorf("credential row: %v", row.Attrs)
		}
	}
	if code, _ := e.do(http.MethodGet, "/integration/pets/openapi.yaml", "", "u1"); code != http.StatusOK {
		t.Errorf("openapi.yaml: %d", code)
	}
	if code, _ := e.do(http.MethodDelete, "/api/connections/"+cid, "", "u1"); code != http.StatusOK {
		t.Errorf("delete connection: %d", code)
	}
	if code, _ := e.do(http.MethodDelete, "/api/connections/"+cid, "", "u1"); code != http.StatusNotFound {
		t.Errorf("delete a deleted connection: %d", code)
	}
}

func TestConnectionsOfOthersAreHidden(t *testing.T) {
	e := newRouteEnv(t, Limits{})
	_, conn := e.do(http.MethodPost, "/api/connections", `{"integrationId":"pets","config":{"accessToken":"tok-2"}}`, "u1")
	cid, _ := field(conn, "id").(string)
	e.res.Deny["credential/"+cid] = []string{"u2"}
	for _, path := range []string{"/api/connections/" + cid, "/api/sync/jobs/" + cid} {
		if code, v := e.do(http.MethodGet, path, "", "u2"); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("u2 reads %s: %d %v", path, code, v)
		}
	}
	if code, v := e.do(http.MethodPost, "/api/actions/execute/"+cid+"/whoami", `{}`, "u2"); code < 400 {
		t.Errorf("u2 executes with u1's connection: %d %v", code, v)
	}
	if _, v := e.do(http.MethodGet, "/api/connections", "", "u2"); strings.Contains(fmt.Sprint(v), cid) {
		t.Errorf("u2 lists u1's connection: %v", v)
	}
}

func TestFlowSteps(t *testing.T) {
	e := newRouteEnv(t, Limits{})
	code, f := e.do(http.MethodPost, "/api/flows/start", `{"integrationId":"pets"}`, "u1")
	if code != http.StatusCreated || field(f, "step") != "credentials" || fmt.Sprint(field(f, "fields")) != "[accessToken]" {
		t.Fatalf("start: %d %v", code, f)
	}
	sid := field(f, "sessionId").(string)
	steps := []struct {
		name, method, path, body, user string
		status                         int
		want                           string
	}{
		{"unknown provider", http.MethodPost, "/api/flows/start", `{"integrationId":"x"}`, "u1", 404, "Integration not found"},
		{"another user's session", http.MethodGet, "/api/flows/" + sid, "", "u2", 404, "Flow session not found"},
		{"session", http.MethodGet, "/api/flows/" + sid, "", "u1", 200, `"status":"pending"`},
		{"missing field", http.MethodPost, "/api/flows/" + sid + "/step", `{"config":{}}`, "u1", 400, "config.accessToken is required"},
		{"step", http.MethodPost, "/api/flows/" + sid + "/step", `{"config":{"accessToken":"tok-3"}}`, "u1", 200, `"status":"completed"`},
		{"step again", http.MethodPost, "/api/flows/" + sid + "/step", `{"config":{"accessToken":"tok-3"}}`, "u1", 409, "already completed"},
		{"delete", http.MethodDelete, "/api/flows/" + sid, "", "u1", 200, `"success":true`},
		{"gone", http.MethodGet, "/api/flows/" + sid, "", "u1", 404, "Flow session not found"},
		{"delete gone", http.MethodDelete, "/api/flows/" + sid, "", "u1", 404, "Flow session not found"},
	}
	for _, tc := range steps {
		code, v := e.do(tc.method, tc.path, tc.body, tc.user)
		js, _ := json.Marshal(v)
		if code != tc.status || !strings.Contains(string(js), tc.want) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, code, js, tc.status, tc.want)
		}
	}
	if n := len(e.res.Rows("credential")); n != 1 {
		t.Errorf("the flow made %d connections", n)
	}
}

func TestFlowSessionsExpire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newFlowStore(func() time.Time { return now })
	s.put(&flow{ID: "a", owner: "u", ExpiresAt: now.Add(flowTTL)})
	if _, ok := s.get("a", "u"); !ok {
		t.Fatal("a live session was not found")
	}
	if _, ok := s.get("a", "v"); ok {
		t.Error("another owner found the session")
	}
	now = now.Add(flowTTL + time.Second)
	if _, ok := s.get("a", "u"); ok {
		t.Error("an expired session was found")
	}
	if len(s.m) != 0 {
		t.Errorf("expired sessions are kept: %d", len(s.m))
	}
}

func TestRouteLimits(t *testing.T) {
	e := newRouteEnv(t, Limits{Read: 2, Write: 1})
	for i, want := range []int{200, 200, 429} {
		if code, v := e.do(http.MethodGet, "/api/connectors", "", "u1"); code != want || (want == 429 && field(v, "error") != TooMany) {
			t.Errorf("read %d: %d %v", i, code, v)
		}
	}
	for i, want := range []int{404, 429} {
		if code, _ := e.do(http.MethodDelete, "/api/connections/x", "", "u1"); code != want {
			t.Errorf("write %d: %d", i, code)
		}
	}
}
