package integrations

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

const petSchema = `
Tables:
  - TableName: pet
    Columns:
      - {Name: name, ColumnType: label}
      - {Name: tag, ColumnType: label}
`

// recorder keeps every answer body for the secret scan.
type recorder struct {
	s      *testserver.Server
	bodies []string
}

func (r *recorder) do(t *testing.T, method, path string, body any, tok string) testserver.Response {
	t.Helper()
	resp := r.s.Do(t, method, path, body, tok)
	r.bodies = append(r.bodies, string(resp.Body))
	return resp
}

// installPets creates the integration row for the fake API and installs it.
func installPets(t *testing.T, rec *recorder, api *fakeAPI, admin string) string {
	t.Helper()
	r := rec.do(t, http.MethodPost, "/api/integration", map[string]any{"data": map[string]any{"type": "integration", "attributes": map[string]any{
		"name": "petstore", "specification_language": "openapiv3", "specification_format": "yaml",
		"specification": fmt.Sprintf(petSpec, api.URL), "authentication_type": "api_key",
		"authentication_specification": `{"X-API-Key":"` + fixedKey + `"}`, "enable": true}}}, admin)
	if r.Status != http.StatusCreated {
		t.Fatalf("create integration: %d %s", r.Status, r.Body)
	}
	id := r.Map(t)["data"].(map[string]any)["id"].(string)
	r = rec.do(t, http.MethodPost, "/action/integration/install_integration", map[string]any{"attributes": map[string]any{"integration_id": id}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("install: %d %s", r.Status, r.Body)
	}
	return id
}

// The whole path through an OpenAPI integration: install, list and call
// operations with the configured key, connect through the Databite
// routes and a flow, execute actions with the connection's token, sync
// 1,000 records, and the failures (timeout, oversized answer); no secret
// appears in any answer or log line.
func TestOpenAPIIntegrationEndToEnd(t *testing.T) {
	api := newFakeAPI(t)
	s, logs := startServer(t, petSchema, func(c *server.Config) {
		c.Integrations.Timeout = 500 * time.Millisecond
		c.Integrations.MaxResponse = 1 << 20
		c.Integrations.ReadPerMinute, c.Integrations.WritePerMinute = 0, 0
	})
	rec := &recorder{s: s}
	admin := s.Admin(t)
	installPets(t, rec, api, admin)

	st := rec.do(t, http.MethodGet, "/api/status", nil, "").Map(t)
	if in, _ := st["integrations"].(map[string]any); in["installed"] != float64(1) || st["scheduler"] == nil || st["database"] == nil {
		t.Errorf("/api/status: %v", st)
	}
	r := rec.do(t, http.MethodGet, "/integration/petstore/operations", nil, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"operationId":"getPet"`) {
		t.Fatalf("operations: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/integration/petstore/operations/createPet", nil, admin); !strings.Contains(string(r.Body), `"owner.email"`) {
		t.Errorf("createPet does not list the flattened body field owner.email: %s", r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/integration/petstore/operations/nope", nil, admin); r.Status != http.StatusNotFound {
		t.Errorf("unknown operation: %d", r.Status)
	}
	if r = rec.do(t, http.MethodGet, "/integration/petstore/openapi.yaml", nil, admin); r.Status != http.StatusOK ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/yaml") || !strings.Contains(string(r.Body), "operationId: listPets") {
		t.Errorf("openapi.yaml: %d %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	r = rec.do(t, http.MethodPost, "/integration/petstore/getPet", map[string]any{"input": map[string]any{"petId": "7"}}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"name":"Rex"`) {
		t.Fatalf("getPet with the fixed key: %d %s", r.Status, r.Body)
	}
	r = rec.do(t, http.MethodPost, "/integration/petstore/createPet", map[string]any{"input": map[string]any{"name": "Tom", "owner.email": "o@example.test"}}, admin)
	if r.Status != http.StatusOK || len(api.created) != 1 || api.created[0]["owner"].(map[string]any)["email"] != "o@example.test" {
		t.Fatalf("createPet: %d %s %v", r.Status, r.Body, api.created)
	}
	if r = rec.do(t, http.MethodPost, "/integration/nosuch/getPet", map[string]any{}, admin); r.Status != http.StatusNotFound ||
		!strings.Contains(string(r.Body), "is not installed or enabled") {
		t.Errorf("unknown provider: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodPost, "/integration/petstore/getPet", "{bad", admin); r.Status != http.StatusBadRequest {
		t.Errorf("bad JSON: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodPost, "/integration/petstore/getPet", map[string]any{"input": map[string]any{}}, admin); r.Status != http.StatusBadRequest {
		t.Errorf("missing path parameter: %d %s", r.Status, r.Body)
	}
	t0 := time.Now()
	if r = rec.do(t, http.MethodPost, "/integration/petstore/slow", nil, admin); r.Status != http.StatusGatewayTimeout || time.Since(t0) > 5*time.Second {
		t.Errorf("hanging upstream: %d %s after %s", r.Status, r.Body, time.Since(t0))
	}
	if r = rec.do(t, http.MethodPost, "/integration/petstore/huge", nil, admin); r.Status != http.StatusBadGateway ||
		!strings.Contains(string(r.Body), "more than") {
		t.Errorf("oversized answer: %d %.200s", r.Status, r.Body)
	}
	r = rec.do(t, http.MethodPost, "/action/integration/getPet", map[string]any{"attributes": map[string]any{"petId": "8"}}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"ResponseType":"petstore"`) || !strings.Contains(string(r.Body), `"id":"8"`) {
		t.Errorf("operation as an action: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodPost, "/action/integration/getPet", map[string]any{"attributes": map[string]any{}}, admin); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), "petId is required") {
		t.Errorf("operation as an action without its parameter: %d %s", r.Status, r.Body)
	}
	user := s.User(t, "Plain", "plain@example.test", "plain-password")
	if r = rec.do(t, http.MethodPost, "/integration/petstore/getPet", map[string]any{"input": map[string]any{"petId": "7"}}, user); r.Status < 400 {
		t.Errorf("a user who cannot read the integration called it: %d %s", r.Status, r.Body)
	}

	databiteRoutes(t, rec, admin)
	if r = rec.do(t, http.MethodPost, "/api/connections", map[string]any{"integrationId": "petstore", "config": map[string]any{"accessToken": "x"}}, user); r.Status != http.StatusForbidden {
		t.Errorf("a user without write access to credential added a connection: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/connections", nil, user); strings.Contains(string(r.Body), "petstore") {
		t.Errorf("a user sees another user's connections: %s", r.Body)
	}

	for _, secret := range []string{fixedKey, connToken, flowKey} {
		for _, b := range rec.bodies {
			if strings.Contains(b, secret) {
				t.Errorf("an answer carries the secret %s: %.300s", secret, b)
			}
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs carry the secret %s", secret)
		}
	}
}

// databiteRoutes drives the Databite API over the installed petstore.
func databiteRoutes(t *testing.T, rec *recorder, admin string) {
	r := rec.do(t, http.MethodGet, "/api/connectors", nil, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"id":"petstore"`) || !strings.Contains(string(r.Body), `"api_key"`) {
		t.Fatalf("connectors: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/connectors/nope", nil, admin); r.Status != http.StatusNotFound || string(r.Body) != "{\"error\":\"Connector not found\"}\n" {
		t.Errorf("unknown connector: %d %q", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/connectors", nil, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("guest: %d %s", r.Status, r.Body)
	}
	r = rec.do(t, http.MethodGet, "/api/integrations", nil, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"installed":true`) {
		t.Fatalf("integrations: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/actions/petstore", nil, admin); !strings.Contains(string(r.Body), `"name":"whoami"`) {
		t.Errorf("actions: %d %s", r.Status, r.Body)
	}
	r = rec.do(t, http.MethodPost, "/api/connections", map[string]any{"integrationId": "petstore", "config": map[string]any{"accessToken": connToken}}, admin)
	if r.Status != http.StatusCreated {
		t.Fatalf("add connection: %d %s", r.Status, r.Body)
	}
	conn := r.Map(t)["id"].(string)
	if r = rec.do(t, http.MethodPost, "/api/connections", map[string]any{"integrationId": "nope", "config": map[string]any{}}, admin); r.Status != http.StatusNotFound {
		t.Errorf("connection to an unknown integration: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/connections", nil, admin); !strings.Contains(string(r.Body), conn) {
		t.Errorf("connections: %s", r.Body)
	}
	r = rec.do(t, http.MethodPost, "/api/actions/execute/"+conn+"/whoami", map[string]any{}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"bearer":true`) {
		t.Fatalf("execute with the connection's token: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodPost, "/api/actions/execute/"+conn+"/nope", map[string]any{}, admin); r.Status != http.StatusNotFound {
		t.Errorf("unknown action: %d %s", r.Status, r.Body)
	}

	t0 := time.Now()
	r = rec.do(t, http.MethodPost, "/api/sync/execute/"+conn+"/listPets", map[string]any{"table": "pet", "input": map[string]any{"limit": 1000}}, admin)
	t.Logf("sync of 1,000 records: %s", time.Since(t0))
	if r.Status != http.StatusOK || r.Map(t)["records"] != float64(1000) {
		t.Fatalf("sync: %d %s", r.Status, r.Body)
	}
	if n := count(t, rec.s, "pet", admin); n != 500 { // the page is capped at 500 by count's page size
		t.Errorf("pet rows on the first page: %d", n)
	}
	if r = rec.do(t, http.MethodPost, "/api/sync/execute/"+conn+"/listPets", map[string]any{"table": "nosuch"}, admin); r.Status != http.StatusNotFound {
		t.Errorf("sync into an unknown table: %d %s", r.Status, r.Body)
	}

	scheduledSync(t, rec, conn, admin)

	r = rec.do(t, http.MethodPost, "/api/flows/start", map[string]any{"integrationId": "petstore"}, admin)
	if r.Status != http.StatusCreated || !strings.Contains(string(r.Body), `"api_key"`) {
		t.Fatalf("flow start: %d %s", r.Status, r.Body)
	}
	sid := r.Map(t)["sessionId"].(string)
	if r = rec.do(t, http.MethodPost, "/api/flows/"+sid+"/step", map[string]any{"config": map[string]any{}}, admin); r.Status != http.StatusBadRequest {
		t.Errorf("step without the key: %d %s", r.Status, r.Body)
	}
	r = rec.do(t, http.MethodPost, "/api/flows/"+sid+"/step", map[string]any{"config": map[string]any{"api_key": flowKey}}, admin)
	if r.Status != http.StatusOK || r.Map(t)["status"] != "completed" {
		t.Fatalf("flow step: %d %s", r.Status, r.Body)
	}
	flowConn := r.Map(t)["connectionId"].(string)
	if r = rec.do(t, http.MethodPost, "/api/actions/execute/"+flowConn+"/whoami", map[string]any{}, admin); !strings.Contains(string(r.Body), `"key":true`) {
		t.Errorf("execute with the flow's key: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/flows/"+sid, nil, admin); r.Status != http.StatusOK {
		t.Errorf("get flow: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodDelete, "/api/flows/"+sid, nil, admin); r.Status != http.StatusOK {
		t.Errorf("delete flow: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/flows/"+sid, nil, admin); r.Status != http.StatusNotFound {
		t.Errorf("deleted flow: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodDelete, "/api/connections/"+conn, nil, admin); r.Status != http.StatusOK {
		t.Errorf("delete connection: %d %s", r.Status, r.Body)
	}
	if r = rec.do(t, http.MethodGet, "/api/connections/"+conn, nil, admin); r.Status != http.StatusNotFound ||
		!strings.Contains(string(r.Body), `"error":"Connection not found"`) {
		t.Errorf("deleted connection: %d %s", r.Status, r.Body)
	}
	// Daptin's JSON:API routes for the same tables keep working.
	if r = rec.do(t, http.MethodGet, "/api/integration", nil, admin); r.Status != http.StatusOK {
		t.Errorf("JSON:API /api/integration: %d", r.Status)
	}
}

// scheduledSync runs a sync job from the task table and sees it in
// /api/sync/jobs.
func scheduledSync(t *testing.T, rec *recorder, conn, admin string) {
	before := rec.do(t, http.MethodGet, "/aggregate/pet?column=count", nil, admin)
	taskID, _ := create(t, rec.s, "task", map[string]any{"name": "pets every second", "action_name": "listPets", "entity_name": "pet",
		"job_type": "sync", "schedule": "@every 1s", "active": true,
		"attributes": `{"connection_id":"` + conn + `","table":"pet","input":{"limit":5}}`}, admin)
	var job map[string]any
	waitFor(t, 6*time.Second, "a scheduled sync run", func() bool {
		r := rec.do(t, http.MethodGet, "/api/sync/jobs/"+conn, nil, admin)
		var jobs []map[string]any
		_ = json.Unmarshal(r.Body, &jobs)
		if len(jobs) == 1 && jobs[0]["runs"].(float64) >= 1 {
			job = jobs[0]
			return true
		}
		return false
	})
	if job["lastError"] != nil || job["syncName"] != "listPets" || job["connectionId"] != conn {
		t.Errorf("sync job: %v", job)
	}
	rec.do(t, http.MethodDelete, "/api/task/"+taskID, nil, admin)
	after := rec.do(t, http.MethodGet, "/aggregate/pet?column=count", nil, admin)
	if string(before.Body) == string(after.Body) {
		t.Errorf("the scheduled sync wrote no rows: %s", after.Body)
	}
}
