package cluster

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// testSchemaEverywhere: a schema uploaded on node 3 serves its table on
// nodes 1 and 2 as soon as the upload answers.
func testSchemaEverywhere(t *testing.T, nodes []*testserver.Server, admin string) {
	gadget := `{"Tables":[{"TableName":"gadget","Columns":[{"Name":"title","ColumnType":"label"}]}]}`
	files := []any{map[string]any{"name": "schema_gadget.json", "type": "application/json",
		"file": "data:application/json;base64," + base64.StdEncoding.EncodeToString([]byte(gadget))}}
	for i, s := range nodes[:2] {
		if r := s.Do(t, http.MethodGet, "/api/gadget", nil, admin); r.Status != http.StatusNotFound {
			t.Fatalf("node %d: gadget before the upload = %d", i+1, r.Status)
		}
	}
	r := nodes[2].Do(t, http.MethodPost, "/action/world/upload_system_schema",
		map[string]any{"attributes": map[string]any{"schema_file": files}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("upload on node 3: %d %s", r.Status, r.Body)
	}
	for i, s := range nodes {
		if r := s.Do(t, http.MethodGet, "/api/gadget", nil, admin); r.Status != http.StatusOK {
			t.Fatalf("node %d: gadget after the upload on node 3 = %d %s", i+1, r.Status, r.Body)
		}
	}
}
