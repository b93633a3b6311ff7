package clients

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// action posts attributes to an action route.
func action(t *testing.T, s *testserver.Server, path string, attrs map[string]any, tok string) testserver.Response {
	t.Helper()
	return s.Do(t, http.MethodPost, path, map[string]any{"attributes": attrs}, tok)
}

// rawDo sends a request with the Authorization header exactly as given
// (clients send "Bearer null" and friends).
func rawDo(t *testing.T, s *testserver.Server, method, path, authorization string) testserver.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return testserver.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// list returns the data array of a JSON:API list answer (fails on others).
func list(t *testing.T, r testserver.Response) []map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	data, ok := r.Map(t)["data"].([]any)
	if !ok {
		t.Fatalf("no data list: %s", r.Body)
	}
	out := make([]map[string]any, len(data))
	for i, d := range data {
		out[i], _ = d.(map[string]any)
	}
	return out
}

// attr reads one attribute of a JSON:API resource object.
func attr(obj map[string]any, name string) any {
	a, _ := obj["attributes"].(map[string]any)
	return a[name]
}

// b64 is the standard base64 of s.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// contains reports whether body contains sub.
func contains(body []byte, sub string) bool { return strings.Contains(string(body), sub) }
