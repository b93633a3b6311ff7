package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/server/openapi"
)

// TestDocumentedRoutesExist: every schema-independent path the OpenAPI
// document describes is routed (a renamed or dropped route fails here).
func TestDocumentedRoutesExist(t *testing.T) {
	s := unitServer(t, nil)
	routed := map[string]bool{}
	err := chi.Walk(s.Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routed[strings.TrimSuffix(route, "/")] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// chi names parameters where the document uses its own names; compare
	// the shapes with every {param} made alike.
	shape := func(p string) string {
		parts := strings.Split(strings.TrimSuffix(p, "/"), "/")
		for i, s := range parts {
			if strings.HasPrefix(s, "{") || s == "*" {
				parts[i] = "{}"
			}
		}
		return strings.Join(parts, "/")
	}
	shapes := map[string]bool{}
	for r := range routed {
		shapes[shape(r)] = true
	}
	for _, p := range openapi.FixedPaths() {
		if !shapes[shape(p)] {
			t.Errorf("documented path %s is not routed", p)
		}
	}
	for _, p := range []string{"/ping", "/actions", "/graphql", "/action/{}/{}", "/api/{}/action/{}"} {
		if !shapes[p] {
			t.Errorf("route %s missing", p)
		}
	}
}
