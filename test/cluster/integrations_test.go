package cluster

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// shopSpec is a small OpenAPI upstream; servers[0].url is filled in.
const shopSpec = `openapi: 3.0.3
info: {title: Shop, version: "1.0"}
servers: [{url: "%s"}]
paths:
  /orders:
    get:
      operationId: listOrders
      responses: {"200": {description: ok}}
  /orders/{orderId}:
    get:
      operationId: getOrder
      parameters: [{name: orderId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
`

// waitUntil polls cond every 100 ms for at most 5 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5 s: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestIntegrationInstallReachesOtherNodes: an integration created and
// installed on node 1 is served by node 2 (its operations and its
// actions in /jsmodel/integration) without a restart, and deleting it on
// node 1 removes it from node 2.
func TestIntegrationInstallReachesOtherNodes(t *testing.T) {
	nodes := startNodes(t, 2)
	n1, n2 := nodes[0], nodes[1]
	upstream := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(upstream.Close)
	admin := n1.Admin(t)

	hasOps := func() bool {
		r := n2.Do(t, http.MethodGet, "/integration/shop/operations", nil, admin)
		return r.Status == http.StatusOK && strings.Contains(string(r.Body), `"operationId":"getOrder"`)
	}
	inModel := func() bool {
		r := n2.Do(t, http.MethodGet, "/jsmodel/integration", nil, admin)
		return r.Status == http.StatusOK && strings.Contains(string(r.Body), `"Name":"getOrder"`)
	}
	if hasOps() || inModel() {
		t.Fatal("node 2 serves the shop integration before it was created")
	}

	r := n1.Do(t, http.MethodPost, "/api/integration", map[string]any{"data": map[string]any{"type": "integration", "attributes": map[string]any{
		"name": "shop", "specification_language": "openapiv3", "specification_format": "yaml",
		"specification": fmt.Sprintf(shopSpec, upstream.URL), "authentication_type": "none",
		"authentication_specification": "{}", "enable": true}}}, admin)
	if r.Status != http.StatusCreated {
		t.Fatalf("create integration on node 1: %d %s", r.Status, r.Body)
	}
	id := r.Map(t)["data"].(map[string]any)["id"].(string)
	r = n1.Do(t, http.MethodPost, "/action/integration/install_integration", map[string]any{"attributes": map[string]any{"integration_id": id}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("install on node 1: %d %s", r.Status, r.Body)
	}
	waitUntil(t, "node 2 lists the operations of the integration installed on node 1", hasOps)
	waitUntil(t, "node 2's /jsmodel/integration lists getOrder", inModel)

	if r = n1.Do(t, http.MethodDelete, "/api/integration/"+id, nil, admin); r.Status != http.StatusOK && r.Status != http.StatusNoContent {
		t.Fatalf("delete integration on node 1: %d %s", r.Status, r.Body)
	}
	waitUntil(t, "node 2 no longer serves the deleted integration", func() bool {
		r := n2.Do(t, http.MethodGet, "/integration/shop/operations", nil, admin)
		return r.Status == http.StatusNotFound
	})
	waitUntil(t, "getOrder gone from node 2's /jsmodel/integration", func() bool { return !inModel() })
}
