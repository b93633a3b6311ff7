package test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

func TestLiveReload(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_perm.yaml", permSchema))
	admin := s.Admin(t)
	// The loops below outrun the default 500 req/s per path; rate limiting
	// is not what this test is about.
	setConfig(t, s, "limit.rate", `{"version":"1","limits":{"/api/doc":1000000}}`)
	if r := s.Do(t, http.MethodGet, "/api/gadget", nil, admin); r.Status != http.StatusNotFound {
		t.Fatalf("gadget before reload: %d", r.Status)
	}
	// Requests keep flowing while the schema is swapped.
	var failures, done atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/doc", nil)
				req.Header.Set("Authorization", "Bearer "+admin)
				resp, err := s.Client.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					failures.Add(1)
					if resp != nil {
						t.Logf("request during reload: %d", resp.StatusCode)
					}
				}
				if resp != nil {
					resp.Body.Close()
				}
				done.Add(1)
			}
		}()
	}
	file := filepath.Join(s.Dir, "schema_gadget.yaml")
	if err := os.WriteFile(file, []byte("Tables:\n  - TableName: gadget\n    Columns:\n      - {Name: label, ColumnType: label}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := s.Srv.Reload(context.Background()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	took := time.Since(t0)
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed during the reload", failures.Load(), done.Load())
	}
	if took > 2*time.Second {
		t.Logf("reload took %v (target under 2 s)", took)
	}
	create(t, s, admin, "gadget", map[string]any{"label": "new"}, nil)

	// A broken schema file is refused and the old schema stays live.
	if err := os.WriteFile(filepath.Join(s.Dir, "schema_broken.json"), []byte(`{"Tables": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Reload(context.Background()); err == nil {
		t.Error("reload with a broken file succeeded")
	}
	if r := s.Do(t, http.MethodGet, "/api/gadget", nil, admin); r.Status != http.StatusOK || len(listOf(t, r)) != 1 {
		t.Errorf("gadget after failed reload: %d %s", r.Status, r.Body)
	}
}
