package test

// In-process benchmarks of the JSON:API through the real router (every
// middleware, authentication, the resource layer and SQLite), with no
// socket: each request goes to Server.Handler().ServeHTTP with an
// httptest.ResponseRecorder.
//
// Data: a locked-down instance (an administrator exists) and a second,
// plain user who owns 100 projects and 10,000 items (item belongs_to
// project, plus the implicit owner relation). Unless a benchmark says
// otherwise the plain user makes the requests, so the table gate and the
// row permission predicate are really evaluated; the NoPermission variant
// lists as the administrator, who skips them.
//
// Run: go test -run '^$' -bench . -benchtime 2s ./test/
// Each benchmark reports ns/op, allocations, and p50-ms / p99-ms computed
// from per-request samples.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, for the seed's bulk copy

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/inproc"
)

// Permissions of the benchmark tables (docs/permissions.md). The table gate
// is the locked-down default (561441) plus guest read, create and update so
// that any signed-in user may attempt to read, create and update; the rows
// then decide: owner peek/read/create/update/delete/refer/execute, group
// read/execute, guest peek. So a plain user reads and changes only the rows
// they own, and every list carries the row predicate in SQL.
const (
	benchGate    = auth.DefaultPermission | auth.GuestRead | auth.GuestCreate | auth.GuestUpdate
	benchRowPerm = auth.GuestPeek | auth.UserCRUD | auth.UserExecute | auth.GroupRead | auth.GroupExecute
)

// benchRateLimit is the limit.rate config the benchmarks set.
const benchRateLimit = `{"version":"1","limits":{"/api/item":1000000,"/api/project":1000000}}`

const (
	benchProjects = 100
	benchItems    = 10000
)

var benchSchema = fmt.Sprintf(`
Tables:
  - TableName: project
    Permission: %[1]d
    DefaultPermission: %[2]d
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: item
    Permission: %[1]d
    DefaultPermission: %[2]d
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: notes, ColumnType: content, IsNullable: true}
Relations:
  - {Subject: item, Relation: belongs_to, Object: project}
`, int64(benchGate), int64(benchRowPerm))

// benchEnv is one seeded server, driven in-process.
type benchEnv struct {
	inproc.Client
	srv        *server.Server
	adminTok   string
	userTok    string
	projectIDs []string
	itemIDs    []string
}

// newBenchEnv boots a server without a listener (logs at warn level, so
// per-request debug lines cost nothing), locks the instance down, signs up
// a plain user and seeds their projects and items in one transaction.
func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	srv, dir := startBenchServer(b, "schema_bench.yaml", benchSchema, 0)
	e := &benchEnv{Client: inproc.Client{H: srv.Handler()}, srv: srv}

	e.adminTok = e.Account(b, "Admin", "admin@example.test", "admin-password")
	e.Must(b, http.StatusOK, http.MethodPost, "/action/world/become_an_administrator", `{"attributes":{}}`, e.adminTok)
	e.userTok = e.Account(b, "Plain", "plain@example.test", "plain-password")
	// Lift the per-(IP, path) rate limit (Daptin's default 500/s) on the
	// list and create path: a benchmark is one client.
	if rec := e.Do(http.MethodPut, "/_config/backend/limit.rate", []byte(benchRateLimit), e.adminTok); rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
		b.Fatalf("set limit.rate: %d %s", rec.Code, rec.Body.Bytes())
	}

	ctx := context.Background()
	res := srv.Resource()
	p, err := res.PrincipalByEmail(ctx, "plain@example.test")
	if err != nil {
		b.Fatal(err)
	}
	if p.IsAdmin() {
		b.Fatal("plain user is an administrator")
	}
	// Seed: the projects and the first 100 items go through the resource
	// layer as the plain user (one transaction); the other 9,900 items are
	// copies of those rows made in SQL (fresh reference ids, same owner,
	// permission and project), because a create costs several milliseconds
	// (docs/benchmarks.md) and 10,000 of them would take about a minute.
	t0 := time.Now()
	const viaAPI = benchProjects
	uctx := auth.WithPrincipal(ctx, p)
	err = res.InTx(uctx, func(tx resource.Service) error {
		for i := range benchProjects {
			r, err := tx.Create(uctx, "project", resource.Input{Attributes: map[string]any{"name": fmt.Sprintf("project %03d", i)}})
			if err != nil {
				return err
			}
			e.projectIDs = append(e.projectIDs, r.RefID)
		}
		for i := range viaAPI {
			_, err := tx.Create(uctx, "item", resource.Input{
				Attributes: map[string]any{"title": fmt.Sprintf("item %05d", i), "priority": i % 5, "notes": "seeded row for the benchmarks"},
				Relationships: map[string]resource.RelInput{
					"project_id": {Refs: []resource.Ref{{Type: "project", ID: e.projectIDs[i%benchProjects]}}},
				},
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
	e.itemIDs = cloneItems(b, filepath.Join(dir, "apiary.db"), benchItems/viaAPI-1)
	if len(e.itemIDs) != benchItems {
		b.Fatalf("seeded %d items, want %d", len(e.itemIDs), benchItems)
	}
	b.Logf("seeded %d projects and %d items in %v", benchProjects, len(e.itemIDs), time.Since(t0).Round(time.Millisecond))

	// The plain user sees exactly their rows, with the relation.
	body := e.Must(b, http.StatusOK, http.MethodGet, "/api/item?page%5Bsize%5D=10&include=project_id", nil, e.userTok)
	var page struct {
		Data     []json.RawMessage `json:"data"`
		Included []json.RawMessage `json:"included"`
		Links    struct {
			Total int `json:"total"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		b.Fatal(err)
	}
	if len(page.Data) != 10 || page.Links.Total != benchItems || len(page.Included) == 0 {
		b.Fatalf("seeded list: %d rows, total %d, %d included: %.300s", len(page.Data), page.Links.Total, len(page.Included), body)
	}
	return e
}

// cloneItems adds copies of every item row (copies times), through a
// second connection to the SQLite file, and returns every item id in id
// order. Every column but id and reference_id is copied, so the copies have
// the owner, permission, project and timestamps of rows the resource layer
// wrote.
func cloneItems(b *testing.B, dsn string, copies int) []string {
	return inproc.CloneRows(b, dsn, "item", copies, nil, func(list string) string {
		return `WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
INSERT INTO item (reference_id, ` + list + `) SELECT randomblob(16), ` + list + ` FROM item, n ORDER BY n.k, item.id`
	})
}

// measure runs op in a b.Loop, recording each iteration's duration, and
// reports allocations and the p50 and p99 latencies in milliseconds.
func measure(b *testing.B, op func(i int) *httptest.ResponseRecorder, want int) {
	b.Helper()
	samples := make([]time.Duration, 0, 1<<17)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		t0 := time.Now()
		rec := op(i)
		samples = append(samples, time.Since(t0))
		if rec.Code != want {
			b.Fatalf("iteration %d: status %d, want %d: %.500s", i, rec.Code, want, rec.Body.Bytes())
		}
		i++
	}
	b.StopTimer()
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	ms := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))].Nanoseconds()) / 1e6
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

const benchListPath = "/api/item?page%5Bsize%5D=10"

// BenchmarkListPage10 lists the first page of 10 as the plain user.
func BenchmarkListPage10(b *testing.B) {
	e := newBenchEnv(b)
	measure(b, func(int) *httptest.ResponseRecorder {
		return e.Do(http.MethodGet, benchListPath, nil, e.userTok)
	}, http.StatusOK)
}

// BenchmarkListPage10Include lists a page of 10 with its projects included.
func BenchmarkListPage10Include(b *testing.B) {
	e := newBenchEnv(b)
	measure(b, func(int) *httptest.ResponseRecorder {
		return e.Do(http.MethodGet, benchListPath+"&include=project_id", nil, e.userTok)
	}, http.StatusOK)
}

// BenchmarkListPage10NoPermission lists as the administrator, who skips
// the table gate and the row predicate.
func BenchmarkListPage10NoPermission(b *testing.B) {
	e := newBenchEnv(b)
	measure(b, func(int) *httptest.ResponseRecorder {
		return e.Do(http.MethodGet, benchListPath, nil, e.adminTok)
	}, http.StatusOK)
}

// BenchmarkListPage10WithPermission is the same list as the plain user
// (identical to BenchmarkListPage10; kept so the pair reads side by side).
func BenchmarkListPage10WithPermission(b *testing.B) {
	e := newBenchEnv(b)
	measure(b, func(int) *httptest.ResponseRecorder {
		return e.Do(http.MethodGet, benchListPath, nil, e.userTok)
	}, http.StatusOK)
}

// BenchmarkGetByID reads one row by id, cycling over all 10,000.
func BenchmarkGetByID(b *testing.B) {
	e := newBenchEnv(b)
	paths := make([]string, len(e.itemIDs))
	for i, id := range e.itemIDs {
		paths[i] = "/api/item/" + id
	}
	measure(b, func(i int) *httptest.ResponseRecorder {
		return e.Do(http.MethodGet, paths[i%len(paths)], nil, e.userTok)
	}, http.StatusOK)
}

// BenchmarkCreate posts a new item with its project relation.
func BenchmarkCreate(b *testing.B) {
	e := newBenchEnv(b)
	bodies := make([][]byte, len(e.projectIDs))
	for i, pid := range e.projectIDs {
		bodies[i] = []byte(`{"data":{"type":"item","attributes":{"title":"created by the benchmark","priority":3,"notes":"x"},` +
			`"relationships":{"project_id":{"data":{"type":"project","id":"` + pid + `"}}}}}`)
	}
	measure(b, func(i int) *httptest.ResponseRecorder {
		return e.Do(http.MethodPost, "/api/item", bodies[i%len(bodies)], e.userTok)
	}, http.StatusCreated)
}

// BenchmarkPatch updates two attributes of one row, cycling over 1,000 rows.
func BenchmarkPatch(b *testing.B) {
	e := newBenchEnv(b)
	n := min(1000, len(e.itemIDs))
	paths := make([]string, n)
	bodies := make([][]byte, n)
	for i := range n {
		id := e.itemIDs[i]
		paths[i] = "/api/item/" + id
		bodies[i] = []byte(`{"data":{"type":"item","id":"` + id + `","attributes":{"priority":` + fmt.Sprint(i%5) + `,"title":"patched ` + strings.Repeat("x", i%7) + `"}}}`)
	}
	measure(b, func(i int) *httptest.ResponseRecorder {
		return e.Do(http.MethodPatch, paths[i%n], bodies[i%n], e.userTok)
	}, http.StatusOK)
}

// BenchmarkSignin signs in with the production bcrypt cost (11, Daptin's):
// sign-in is bcrypt-bound, so ns/op is about one bcrypt comparison and
// signins/s per core is 1e9 / ns/op.
func BenchmarkSignin(b *testing.B) {
	e := newBenchEnv(b)
	in, _ := json.Marshal(map[string]any{"attributes": map[string]any{"email": "bench-signin@example.test", "password": "signin-password"}})
	e.Account(b, "Signin", "bench-signin@example.test", "signin-password")
	measure(b, func(int) *httptest.ResponseRecorder {
		return e.Do(http.MethodPost, "/action/user_account/signin", in, "")
	}, http.StatusOK)
}

// startBenchServer boots a server on SQLite in a temp folder with one
// schema file, logging warnings only; passwordCost 0 keeps the production
// bcrypt cost. It returns the server and the folder.
func startBenchServer(b *testing.B, schemaFile, schemaText string, passwordCost int) (*server.Server, string) {
	return inproc.Boot(b, schemaFile, schemaText, func(c *server.Config) { c.PasswordCost = passwordCost })
}
