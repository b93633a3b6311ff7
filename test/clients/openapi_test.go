package clients

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// TestOpenAPIKeyOrder: the document starts with the openapi line, then
// info, servers, paths, components (Daptin's order, and what tools and
// people expect), in YAML and JSON alike.
func TestOpenAPIKeyOrder(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema))
	want := []string{"openapi", "info", "servers", "paths", "components", "security", "tags"}
	for _, path := range []string{"/openapi.yaml", "/apispec.yaml"} {
		r := s.Do(t, http.MethodGet, path, nil, "")
		if r.Status != http.StatusOK || !regexp.MustCompile(`^openapi: 3\.0\.\d+\n`).Match(r.Body) {
			t.Fatalf("%s: %d %.80q", path, r.Status, r.Body)
		}
		var keys []string
		for _, line := range strings.Split(string(r.Body), "\n") {
			if k, _, ok := strings.Cut(line, ":"); ok && k != "" && !strings.HasPrefix(k, " ") {
				keys = append(keys, k)
			}
		}
		if !sameKeys(keys, want) {
			t.Errorf("%s top-level keys %v, want %v in that order", path, keys, want)
		}
	}
	r := s.Do(t, http.MethodGet, "/openapi.json", nil, "")
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("openapi.json: %v %s", err, r.Body[:min(80, len(r.Body))])
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	if !sameKeys(keys, want) {
		t.Errorf("openapi.json top-level keys %v, want %v in that order", keys, want)
	}
}

// sameKeys reports whether got lists, in order, the keys of want it has,
// and has at least openapi, info, paths and components.
func sameKeys(got, want []string) bool {
	var filtered []string
	for _, w := range want {
		for _, g := range got {
			if g == w {
				filtered = append(filtered, w)
			}
		}
	}
	if len(filtered) != len(got) || len(got) < 4 {
		return false
	}
	for i := range got {
		if got[i] != filtered[i] {
			return false
		}
	}
	return got[0] == "openapi" && got[1] == "info"
}
