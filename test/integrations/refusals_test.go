package integrations

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// Hostile specifications are refused by install_integration with a 400
// naming the problem, nothing is fetched, and nothing is installed.
func TestInstallRefusesHostileSpecs(t *testing.T) {
	fetched := false
	evil := newFakeAPI(t)
	evil.Config.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { fetched = true })
	s := testserver.Start(t)
	admin := s.Admin(t)
	cyclic := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a: {get: {operationId: a, responses: {"200": {description: ok}}}}
components:
  schemas:
    A: {type: object, properties: {b: {$ref: "#/components/schemas/B"}}}
    B: {type: object, properties: {a: {$ref: "#/components/schemas/A"}}}
`
	tests := []struct{ name, spec, want string }{
		{"cyclic", cyclic, "cycle"},
		{"external", strings.Replace(cyclic, `"#/components/schemas/B"`, `"`+evil.URL+`/spec.yaml#/B"`, 1), "external $ref"},
		{"huge", "openapi: 3.0.3\nx: " + strings.Repeat("a", 3<<20), "the limit is"},
		{"garbage", "{{{", "not JSON or YAML"},
	}
	for _, tc := range tests {
		id, _ := create(t, s, "integration", map[string]any{"name": tc.name, "specification_language": "openapiv3",
			"specification": tc.spec, "authentication_type": "none", "authentication_specification": "{}", "enable": true}, admin)
		r := s.Do(t, http.MethodPost, "/action/integration/install_integration", map[string]any{"attributes": map[string]any{"integration_id": id}}, admin)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), tc.want) {
			t.Errorf("%s: %d %.300s", tc.name, r.Status, r.Body)
		}
		if r := s.Do(t, http.MethodGet, "/api/connectors/"+tc.name, nil, admin); r.Status != http.StatusNotFound {
			t.Errorf("%s: half installed: %d %s", tc.name, r.Status, r.Body)
		}
	}
	if fetched {
		t.Error("an external $ref was fetched")
	}
}

// Each Databite route class has its own per-address limit; the refusal is
// a 429 with the seed's body; health has none.
func TestDatabiteRateLimits(t *testing.T) {
	s, _ := startServer(t, "", func(c *server.Config) { c.Integrations.ReadPerMinute, c.Integrations.WritePerMinute = 3, 2 })
	admin := s.Admin(t)
	for i := 0; i < 3; i++ {
		if r := s.Do(t, http.MethodGet, "/api/connectors", nil, admin); r.Status != http.StatusOK {
			t.Fatalf("read %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := s.Do(t, http.MethodGet, "/api/integrations", nil, admin)
	if r.Status != http.StatusTooManyRequests || string(r.Body) != "{\"error\":\"Too many requests from this IP, please try again later.\"}\n" ||
		r.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth read: %d %q %v", r.Status, r.Body, r.Header)
	}
	for i := 0; i < 2; i++ {
		if r := s.Do(t, http.MethodPost, "/api/connections", map[string]any{}, admin); r.Status != http.StatusBadRequest ||
			!strings.Contains(string(r.Body), `"error":"integrationId is required"`) {
			t.Fatalf("write %d: %d %s", i, r.Status, r.Body)
		}
	}
	if r := s.Do(t, http.MethodPost, "/api/flows/start", map[string]any{}, admin); r.Status != http.StatusTooManyRequests {
		t.Fatalf("third write: %d %s", r.Status, r.Body)
	}
	for i := 0; i < 10; i++ {
		if r := s.Do(t, http.MethodGet, "/api/health", nil, ""); r.Status != http.StatusOK {
			t.Fatalf("health %d: %d", i, r.Status)
		}
	}
}
