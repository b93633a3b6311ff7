package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

func TestStreamQuery(t *testing.T) {
	cases := []struct {
		url          string
		size, number int
		keyword      string
		conds        int
		status       int
	}{
		{"/api/s", resource.DefaultPageSize, 0, "", 0, 0},
		{"/api/s?page[size]=5&page[number]=3&filter=rex", 5, 3, "rex", 0, 0},
		{"/api/s?page[size]=999999", resource.MaxPageSize, 0, "", 0, 0},
		{"/api/s?page[size]=0", 0, 0, "", 0, http.StatusBadRequest},
		{"/api/s?page[number]=-1", 0, 0, "", 0, http.StatusBadRequest},
		{"/api/s?page[size]=ten", 0, 0, "", 0, http.StatusBadRequest},
		{`/api/s?query=[{"column":"kind","operator":"is","value":"dog"}]`, resource.DefaultPageSize, 0, "", 1, 0},
		{"/api/s?query=not-json", 0, 0, "", 0, http.StatusBadRequest},
	}
	for _, c := range cases {
		q, err := streamQuery(httptest.NewRequest(http.MethodGet, c.url, nil))
		if c.status != 0 {
			if err == nil || httperr.Status(err) != c.status {
				t.Errorf("%s: err %v, want status %d", c.url, err, c.status)
			}
			continue
		}
		if err != nil || q.PageSize != c.size || q.PageNumber != c.number || q.Keyword != c.keyword || len(q.Conditions) != c.conds {
			t.Errorf("%s: %+v %v", c.url, q, err)
		}
	}
	q, _ := streamQuery(httptest.NewRequest(http.MethodGet, "/api/s?sort=-name", nil))
	if len(q.Sort) != 1 {
		t.Errorf("sort=-name parsed as %+v", q.Sort)
	}
}

const streamUnitSchema = `
Tables:
  - TableName: animal
    Columns:
      - {Name: name, ColumnType: label}
      - {Name: kind, ColumnType: label}
Streams:
  - StreamName: dogs
    RootEntityName: animal
    Columns: []
    QueryParams: {sort: ["name"]}
    Transformations:
      - {Operation: filter, Attributes: {ColumnName: kind, Comparator: "==", Value: dog}}
`

func TestStreamsRouteAndSeeding(t *testing.T) {
	s := unitServer(t, map[string]string{"schema_stream.yaml": streamUnitSchema})
	sys := auth.WithPrincipal(context.Background(), auth.System())
	for _, a := range []map[string]any{{"name": "Rex", "kind": "dog"}, {"name": "Tom", "kind": "cat"}, {"name": "Ace", "kind": "dog"}} {
		if _, err := s.Resource().Create(sys, "animal", resource.Input{Attributes: a}); err != nil {
			t.Fatal(err)
		}
	}
	// Start seeds the schema stream and the built-in ones as stream rows.
	if err := s.seedStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	page, err := s.Resource().List(sys, "stream", resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, r := range page.Rows {
		n, _ := r.Attrs["stream_name"].(string)
		names[n], _ = r.Attrs["stream_contract"].(string)
	}
	if !strings.Contains(names["dogs"], `"RootEntityName":"animal"`) || names["transformed_user"] == "" {
		t.Fatalf("seeded streams: %v", names)
	}
	rowsBefore := len(page.Rows)

	w := serve(s, http.MethodGet, "/api/dogs?page[size]=10", "", nil)
	var out struct {
		Data []struct {
			Type       string         `json:"type"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
		Links map[string]any `json:"links"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != http.StatusOK {
		t.Fatalf("GET /api/dogs: %d %s", w.Code, w.Body)
	}
	if len(out.Data) != 2 || out.Data[0].Type != "dogs" || out.Data[0].Attributes["name"] != "Ace" || out.Data[1].Attributes["name"] != "Rex" {
		t.Errorf("stream rows: %s", w.Body)
	}
	if out.Links["per_page"] != float64(10) || out.Links["current_page"] != float64(1) {
		t.Errorf("links: %v", out.Links)
	}
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "/api/dogs", http.StatusNotImplemented},
		{http.MethodGet, "/api/dogs/some-id", http.StatusNotImplemented},
		{http.MethodGet, "/api/dogs?page[size]=x", http.StatusBadRequest},
		{http.MethodGet, "/api/no_such_name", http.StatusNotFound},
		{http.MethodGet, "/api/animal", http.StatusOK}, // a table is not taken for a stream
	} {
		var body *strings.Reader
		if c.method == http.MethodPost {
			body = strings.NewReader(`{"data":{"type":"dogs","attributes":{"name":"x"}}}`)
		}
		var w *httptest.ResponseRecorder
		if body != nil {
			w = serve(s, c.method, c.path, "", body)
		} else {
			w = serve(s, c.method, c.path, "", nil)
		}
		if w.Code != c.want {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, w.Code, w.Body, c.want)
		}
	}

	// Seeding again adds nothing, and a file stream's changed contract
	// replaces the stored one.
	if err := s.seedStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Resource().List(sys, "stream", resource.Query{PageSize: 1, Conditions: []resource.Condition{{Column: "stream_name", Operator: "is", Value: "dogs"}}})
	if _, err := s.Resource().Update(sys, "stream", p.Rows[0].RefID, resource.Input{Attributes: map[string]any{"stream_contract": `{"StreamName":"dogs"}`}}); err != nil {
		t.Fatal(err)
	}
	if err := s.seedStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	page, _ = s.Resource().List(sys, "stream", resource.Query{PageSize: resource.MaxPageSize})
	if len(page.Rows) != rowsBefore {
		t.Errorf("seeding again made %d rows, had %d", len(page.Rows), rowsBefore)
	}
	p, _ = s.Resource().List(sys, "stream", resource.Query{PageSize: 1, Conditions: []resource.Condition{{Column: "stream_name", Operator: "is", Value: "dogs"}}})
	if c, _ := p.Rows[0].Attrs["stream_contract"].(string); c != names["dogs"] {
		t.Errorf("the file's contract was not restored: %s", c)
	}
}

// TestStreamAddedByReload: a stream in a schema file written while the
// server runs is served after a reload, without a restart.
func TestStreamAddedByReload(t *testing.T) {
	s := unitServer(t, map[string]string{"schema_animal.yaml": `
Tables:
  - TableName: animal
    Permission: 2097151
    DefaultPermission: 2097151
    Columns:
      - {Name: name, ColumnType: label}
      - {Name: kind, ColumnType: label}
`})
	if w := serve(s, http.MethodGet, "/api/cats", "", nil); w.Code != http.StatusNotFound {
		t.Fatalf("before the reload: %d %s", w.Code, w.Body)
	}
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := s.Resource().Create(sys, "animal", resource.Input{Attributes: map[string]any{"name": "Tom", "kind": "cat"}}); err != nil {
		t.Fatal(err)
	}
	stream := `
Streams:
  - StreamName: cats
    RootEntityName: animal
    Columns: []
    Transformations:
      - {Operation: filter, Attributes: {ColumnName: kind, Comparator: "==", Value: cat}}
`
	if err := os.WriteFile(filepath.Join(s.cfg.SchemaDir, "schema_cats.yaml"), []byte(stream), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := serve(s, http.MethodGet, "/api/cats", "", nil)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"Tom"`) {
		t.Fatalf("after the reload: %d %s", w.Code, w.Body)
	}
}
