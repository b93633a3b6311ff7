package hardening

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

// lockerSchema has the three hash column types, and a box that refers to a
// locker so the locker can be included.
const lockerSchema = `
Tables:
  - TableName: locker
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: pin, ColumnType: bcrypt, IsNullable: true}
      - {Name: code, ColumnType: md5-bcrypt, IsNullable: true}
      - {Name: secret, ColumnType: password, IsNullable: true}
  - TableName: box
    Columns:
      - {Name: label, ColumnType: label}
Relations:
  - {Subject: box, Relation: belongs_to, Object: locker}
`

// hashLeak reports whether text holds a bcrypt hash.
func hashLeak(text string) bool {
	return strings.Contains(text, "$2a$") || strings.Contains(text, "$2b$")
}

// Hash columns are write-only on every surface: create, get, list,
// include, GraphQL, export and change events.
func hashColumnsAreWriteOnly(t *testing.T, s *testserver.Server, admin string) {
	var mu sync.Mutex
	var events []resource.Change
	cancel := s.Srv.Resource().Subscribe(func(c resource.Change) {
		mu.Lock()
		events = append(events, c)
		mu.Unlock()
	})
	defer cancel()

	r := s.Do(t, http.MethodPost, "/api/locker", map[string]any{"data": map[string]any{"type": "locker", "attributes": map[string]any{
		"title": "L1", "pin": "1234", "code": "abcd", "secret": "s3cret"}}}, admin)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if hashLeak(string(r.Body)) {
		t.Errorf("create answer holds a hash: %s", r.Body)
	}
	id := r.Map(t)["data"].(map[string]any)["id"].(string)
	r = s.Do(t, http.MethodPost, "/api/box", map[string]any{"data": map[string]any{"type": "box", "attributes": map[string]any{"label": "B"},
		"relationships": map[string]any{"locker_id": map[string]any{"data": map[string]any{"type": "locker", "id": id}}}}}, admin)
	if r.Status >= 300 {
		t.Fatalf("create box: %d %s", r.Status, r.Body)
	}
	boxID := r.Map(t)["data"].(map[string]any)["id"].(string)

	reads := map[string]string{
		"get":     "/api/locker/" + id,
		"list":    "/api/locker",
		"include": "/api/box/" + boxID + "?include=locker_id",
	}
	for name, path := range reads {
		r := s.Do(t, http.MethodGet, path, nil, admin)
		if r.Status != http.StatusOK || hashLeak(string(r.Body)) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	r = s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": "{ locker { title pin code secret } }"}, admin)
	if hashLeak(string(r.Body)) {
		t.Errorf("graphql: %s", r.Body)
	}
	for _, format := range []string{"json", "csv"} {
		r = s.Do(t, http.MethodPost, "/action/world/export_data", map[string]any{"attributes": map[string]any{
			"table_name": "locker", "format": format, "columns": []string{"title", "pin", "code", "secret"}}}, admin)
		if leak := exportLeak(t, r); leak {
			t.Errorf("export %s: %d %s", format, r.Status, r.Body)
		}
	}
	// A filter on a hash column would let a caller read the hash one
	// character at a time.
	q := "?query=" + url.QueryEscape(`[{"column":"pin","operator":"like","value":"$2%"}]`)
	r = s.Do(t, http.MethodGet, "/api/locker"+q, nil, admin)
	if r.Status == http.StatusOK && len(listData(t, r)) > 0 {
		t.Errorf("a like filter matched a hash: %s", r.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range events {
		for k, v := range e.Row {
			if s, ok := v.(string); ok && hashLeak(s) {
				t.Errorf("%s event on %s carries the hash in %s", e.Op, e.Table, k)
			}
		}
	}
}

// exportLeak decodes an export answer and reports whether it holds a hash.
func exportLeak(t *testing.T, r testserver.Response) bool {
	t.Helper()
	if r.Status != http.StatusOK {
		return hashLeak(string(r.Body))
	}
	for _, item := range r.JSON(t).([]any) {
		a := item.(map[string]any)["Attributes"].(map[string]any)
		if c, ok := a["content"].(string); ok {
			b, _ := base64.StdEncoding.DecodeString(c)
			if hashLeak(string(b)) {
				return true
			}
		}
	}
	return false
}
