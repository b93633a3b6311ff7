package test

// BenchmarkAggregateCount100k: GET /aggregate/item?group=category&column=category,count
// over 100,000 rows on SQLite, as the administrator, in-process through
// Server.Handler() (every middleware, no socket). Target: p50 under 50 ms.
//
// BenchmarkAggregateByProject100k: the load script's request and data
// shape (test/bench/load.sh): GET /aggregate/item?group=project_id&column=count
// over 100,000 items of 100 projects owned by a plain user of a locked-down
// instance, the rows of each project spread over the whole table; as that
// user (row predicate in SQL) and as the administrator.
//
// Run: go test -run '^$' -bench 'AggregateCount100k|AggregateByProject100k' -benchtime 50x ./test/

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/inproc"
)

const (
	aggBenchRows       = 100_000
	aggBenchSeed       = 100 // rows written through the resource layer; the rest are SQL copies
	aggBenchCategories = 10
)

const aggBenchSchema = `
Tables:
  - TableName: item
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200)}
      - {Name: category, ColumnType: label, DataType: varchar(50), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
`

// aggBenchDo sends one request to h in-process.
func aggBenchDo(h http.Handler, method, path string, body []byte, tok string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func BenchmarkAggregateCount100k(b *testing.B) {
	srv, dir := startBenchServer(b, "schema_aggbench.yaml", aggBenchSchema, 4)
	ctx := context.Background()
	h := srv.Handler()
	admin := aggBenchAdmin(b, h)
	limits := []byte(`{"version":"1","limits":{"/aggregate/item":1000000}}`)
	if rec := aggBenchDo(h, http.MethodPut, "/_config/backend/limit.rate", limits, admin); rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
		b.Fatalf("set limit.rate: %d %s", rec.Code, rec.Body.Bytes())
	}

	sys := auth.WithPrincipal(ctx, auth.System())
	err := srv.Resource().InTx(sys, func(tx resource.Service) error {
		for i := range aggBenchSeed {
			in := resource.Input{Attributes: map[string]any{"title": fmt.Sprint("item ", i), "category": fmt.Sprint("category ", i%aggBenchCategories), "priority": i % 5}}
			if _, err := tx.Create(sys, "item", in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	cloneItems(b, filepath.Join(dir, "apiary.db"), aggBenchRows/aggBenchSeed-1)

	path := "/aggregate/item?group=category&column=category,count"
	rec := aggBenchDo(h, http.MethodGet, path, nil, admin)
	var doc struct {
		Data []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); rec.Code != http.StatusOK || err != nil {
		b.Fatalf("aggregate: %d %v %.300s", rec.Code, err, rec.Body.Bytes())
	}
	total := 0.0
	for _, d := range doc.Data {
		total += d.Attributes["count"].(float64)
	}
	if len(doc.Data) != aggBenchCategories || total != aggBenchRows {
		b.Fatalf("aggregate answer: %d groups, %v rows: %.300s", len(doc.Data), total, rec.Body.Bytes())
	}

	samples := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		rec := aggBenchDo(h, http.MethodGet, path, nil, admin)
		samples = append(samples, time.Since(t0))
		if rec.Code != http.StatusOK {
			b.Fatalf("aggregate: %d %s", rec.Code, rec.Body.Bytes())
		}
	}
	b.StopTimer()
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(samples[len(samples)*99/100].Microseconds())/1000, "p99-ms")
}

// aggBenchAdmin signs up the first user, makes them administrator and
// returns their token.
func aggBenchAdmin(b *testing.B, h http.Handler) string {
	b.Helper()
	must := func(path string, attrs map[string]any, tok string) []byte {
		body, _ := json.Marshal(map[string]any{"attributes": attrs})
		rec := aggBenchDo(h, http.MethodPost, path, body, tok)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body.Bytes())
		}
		return rec.Body.Bytes()
	}
	must("/action/user_account/signup", map[string]any{"name": "Admin", "email": "admin@example.test", "password": "admin-password", "passwordConfirm": "admin-password"}, "")
	out := must("/action/user_account/signin", map[string]any{"email": "admin@example.test", "password": "admin-password"}, "")
	var list []struct {
		ResponseType string
		Attributes   map[string]any
	}
	if err := json.Unmarshal(out, &list); err != nil {
		b.Fatal(err)
	}
	tok := ""
	for _, it := range list {
		if it.ResponseType == "client.store.set" {
			tok, _ = it.Attributes["value"].(string)
		}
	}
	if tok == "" {
		b.Fatalf("no token in %s", out)
	}
	must("/action/world/become_an_administrator", map[string]any{}, tok)
	return tok
}

// BenchmarkAggregateByProject100k: the grouped count of the load run, which
// took 0.4-1 s over HTTP for the plain user while SQLite walked the
// project_id index and read each row from the table in index order.
func BenchmarkAggregateByProject100k(b *testing.B) {
	const path = "/aggregate/item?group=project_id&column=count"
	e, dsn := newAggByProjectEnv(b)
	// 100 items through the resource layer, item i in project i%100, then
	// 999 SQL copies of them in order: every project's rows are spread over
	// the table, as in the load script's clone and as rows created over time.
	cloneItems(b, dsn, aggBenchRows/benchProjects-1)
	want := fmt.Sprint(aggBenchRows / benchProjects)
	for _, s := range []struct{ name, tok string }{{"user", e.userTok}, {"admin", e.adminTok}} {
		rec := e.Do(http.MethodGet, path, nil, s.tok)
		var doc struct {
			Data []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); rec.Code != http.StatusOK || err != nil {
			b.Fatalf("%s: %d %v %.300s", s.name, rec.Code, err, rec.Body.Bytes())
		}
		for _, d := range doc.Data {
			if fmt.Sprint(d.Attributes["count"]) != want {
				b.Fatalf("%s: a project counts %v rows, want %s", s.name, d.Attributes["count"], want)
			}
		}
		if len(doc.Data) != benchProjects {
			b.Fatalf("%s: %d groups, want %d", s.name, len(doc.Data), benchProjects)
		}
		b.Run(s.name, func(b *testing.B) {
			measure(b, func(int) *httptest.ResponseRecorder { return e.Do(http.MethodGet, path, nil, s.tok) }, http.StatusOK)
		})
	}
}

// newAggByProjectEnv boots the benchmark schema of bench_test.go, locks the
// instance down and has the plain user write 100 projects and one item in
// each; it returns the environment and the SQLite file.
func newAggByProjectEnv(b *testing.B) (*benchEnv, string) {
	b.Helper()
	srv, dir := startBenchServer(b, "schema_bench.yaml", benchSchema, 4)
	ctx := context.Background()
	e := &benchEnv{Client: inproc.Client{H: srv.Handler()}, srv: srv}
	e.adminTok = e.Account(b, "Admin", "admin@example.test", "admin-password")
	e.Must(b, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, e.adminTok)
	e.userTok = e.Account(b, "Plain", "plain@example.test", "plain-password")
	limits := `{"version":"1","limits":{"/aggregate/item":1000000}}`
	if rec := e.Do(http.MethodPut, "/_config/backend/limit.rate", []byte(limits), e.adminTok); rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
		b.Fatalf("set limit.rate: %d %s", rec.Code, rec.Body.Bytes())
	}
	p, err := srv.Resource().PrincipalByEmail(ctx, "plain@example.test")
	if err != nil {
		b.Fatal(err)
	}
	uctx := auth.WithPrincipal(ctx, p)
	err = srv.Resource().InTx(uctx, func(tx resource.Service) error {
		for i := range benchProjects {
			r, err := tx.Create(uctx, "project", resource.Input{Attributes: map[string]any{"name": fmt.Sprintf("project %03d", i)}})
			if err != nil {
				return err
			}
			e.projectIDs = append(e.projectIDs, r.RefID)
		}
		for i := range benchProjects {
			_, err := tx.Create(uctx, "item", resource.Input{
				Attributes:    map[string]any{"title": fmt.Sprintf("item %05d", i), "priority": i % 5, "notes": "seeded row for the benchmarks"},
				Relationships: map[string]resource.RelInput{"project_id": {Refs: []resource.Ref{{Type: "project", ID: e.projectIDs[i]}}}},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	return e, filepath.Join(dir, "apiary.db")
}
