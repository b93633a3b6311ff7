package dialects

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkDexieAllList measures GET /all/todo_items over 100 objects
// (each object's realm and owner are looked up).
func BenchmarkDexieAllList(b *testing.B) {
	e := newDexieEnv(b)
	var batch []any
	for i := range 100 {
		batch = append(batch, map[string]any{"title": fmt.Sprintf("item %d", i), "realmId": "rlm-public"})
	}
	must(b, e.s.Do(b, http.MethodPost, "/all/todo_items", batch, e.global), 200)
	b.ResetTimer()
	for b.Loop() {
		must(b, e.s.Do(b, http.MethodGet, "/all/todo_items", nil, e.read), 200)
	}
}

// BenchmarkDaybedHawkPost measures a Hawk-signed POST of one record.
func BenchmarkDaybedHawkPost(b *testing.B) {
	e := newDaybedEnv(b)
	s, c := e.s, e.creds
	put := mustJSON(b, map[string]any{"definition": todoDefinition})
	req, _ := http.NewRequest(http.MethodPut, s.URL+"/v1/models/todo", bytes.NewReader(put))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", hawkAuth(c, "PUT", s.URL+"/v1/models/todo", put, "application/json", time.Now(), randomNonce()))
	if resp, err := s.Client.Do(req); err != nil || resp.StatusCode != 200 {
		b.Fatalf("put model: %v %v", err, resp)
	}
	body := []byte(`{"item":"bench","status":"todo"}`)
	url := s.URL + "/v1/models/todo/records"
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", hawkAuth(c, "POST", url, body, "application/json", time.Now(), randomNonce()))
		resp, err := s.Client.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("post: %v %v", err, resp)
		}
		resp.Body.Close()
	}
}
