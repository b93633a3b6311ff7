package integrations

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// tickSchema has a table a task can write to and the action it runs.
const tickSchema = `
Tables:
  - TableName: log_entry
    Columns:
      - {Name: message, ColumnType: label}
Actions:
  - Name: tick
    Label: Tick
    OnType: log_entry
    InstanceOptional: true
    InFields:
      - {Name: message, ColumnName: message, ColumnType: label}
    OutFields:
      - {Type: log_entry, Method: POST, Attributes: {message: "$message"}}
`

// attrsOf returns data.attributes of a JSON:API document.
func attrsOf(t *testing.T, r testserver.Response) map[string]any {
	t.Helper()
	data, ok := r.Map(t)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object: %s", r.Body)
	}
	attrs, _ := data["attributes"].(map[string]any)
	return attrs
}

// listOf returns the data array of a JSON:API list.
func listOf(t *testing.T, r testserver.Response) []any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	data, _ := r.Map(t)["data"].([]any)
	return data
}

// count returns the number of rows of a table the token can see.
func count(t *testing.T, s *testserver.Server, table, tok string) int {
	t.Helper()
	return len(listOf(t, s.Do(t, http.MethodGet, "/api/"+table+"?page[size]=500", nil, tok)))
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// create posts a row and returns its attributes and id.
func create(t *testing.T, s *testserver.Server, table string, attrs map[string]any, tok string) (string, map[string]any) {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/api/"+table, map[string]any{"data": map[string]any{"type": table, "attributes": attrs}}, tok)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("create %s: %d %s", table, r.Status, r.Body)
	}
	data := r.Map(t)["data"].(map[string]any)
	return fmt.Sprint(data["id"]), data["attributes"].(map[string]any)
}

// target is a REST endpoint that records every JSON body posted to it
// and answers with the status answer picks (200 when nil).
type target struct {
	URL  string
	mu   sync.Mutex
	got  []map[string]any
	stop func()
}

func newTarget(t *testing.T, answer func(body map[string]any, r *http.Request) int) *target {
	t.Helper()
	tg := &target{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		tg.mu.Lock()
		tg.got = append(tg.got, m)
		tg.mu.Unlock()
		if answer != nil {
			if st := answer(m, r); st != http.StatusOK {
				w.WriteHeader(st)
			}
		}
	}))
	t.Cleanup(srv.Close)
	tg.URL = srv.URL
	return tg
}

// bodies returns a copy of what was posted so far.
func (tg *target) bodies() []map[string]any {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]map[string]any(nil), tg.got...)
}
