package test

// GraphQL against the JSON:API for the same page: 10 todos with their
// project, as a signed-in user (table gate and row predicate evaluated),
// in-process with no socket, both behind the same authenticator.
//
// Run: go test -run '^$' -bench GraphQL -benchtime 2s ./test/
// Reports p50 of each surface and their ratio (target: at most 2).

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

const (
	benchGQLQuery   = `{ todo(page: {number: 1, size: 10}) { reference_id title done due priority project_id { reference_id name } } }`
	benchJSONAPIURL = "/api/todo?page%5Bsize%5D=10&include=project_id"
)

func BenchmarkGraphQLListWithRelation(b *testing.B) {
	s := startTodoB(b)
	e := newGQLEnv(b, s)
	tok := s.User(b, "Ann", "ann@example.test", "ann-password")
	for p := 0; p < 10; p++ {
		body := map[string]any{"data": map[string]any{"type": "project", "attributes": map[string]any{"name": "p"}}}
		r := s.Do(b, http.MethodPost, "/api/project", body, tok)
		if r.Status != http.StatusCreated {
			b.Fatalf("project: %d %s", r.Status, r.Body)
		}
		proj := r.Map(b)["data"].(map[string]any)["id"]
		for i := 0; i < 5; i++ {
			body := map[string]any{"data": map[string]any{"type": "todo", "attributes": map[string]any{"title": "t"},
				"relationships": map[string]any{"project_id": map[string]any{"data": map[string]any{"type": "project", "id": proj}}}}}
			if r := s.Do(b, http.MethodPost, "/api/todo", body, tok); r.Status != http.StatusCreated {
				b.Fatalf("todo: %d %s", r.Status, r.Body)
			}
		}
	}
	gqlBody, _ := json.Marshal(map[string]any{"query": benchGQLQuery})
	gql := func() *httptest.ResponseRecorder {
		return e.raw(http.MethodPost, "/graphql", "application/json", gqlBody, tok)
	}
	api := func() *httptest.ResponseRecorder { return e.raw(http.MethodGet, benchJSONAPIURL, "", nil, tok) }
	check := func(name string, w *httptest.ResponseRecorder) {
		var v struct {
			Data     any   `json:"data"`
			Included []any `json:"included"`
			Errors   []any `json:"errors"`
		}
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &v) != nil || len(v.Errors) > 0 {
			b.Fatalf("%s: %d %s", name, w.Code, w.Body)
		}
	}
	check("graphql", gql())
	check("jsonapi", api())
	var gs, as []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		gql()
		t1 := time.Now()
		api()
		as = append(as, time.Since(t1))
		gs = append(gs, t1.Sub(t0))
	}
	b.StopTimer()
	p50 := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Nanoseconds()) / 1e6
	}
	g, a := p50(gs), p50(as)
	b.ReportMetric(g, "graphql-p50-ms")
	b.ReportMetric(a, "jsonapi-p50-ms")
	b.ReportMetric(g/a, "ratio")
}

func startTodoB(b *testing.B) *testserver.Server {
	b.Helper()
	return testserver.Start(b, testserver.WithSchema("schema_todo.yaml", todoSchema))
}
