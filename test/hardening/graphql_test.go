package hardening

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// Queries built to burn CPU or memory are refused at once, before they
// are validated or run; ordinary queries still work.
func graphQLLimits(t *testing.T, s *testserver.Server, admin string) {
	nested := func(n int) string { // {"a":{"a":...}} as a GraphQL object value
		return "{ note(filter: " + strings.Repeat("{a: ", n) + "1" + strings.Repeat("}", n) + ") { body } }"
	}
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&aliases, " a%d: note { body }", i)
	}
	aliases.WriteString(" }")
	var bomb strings.Builder // each fragment spreads the previous one twice
	bomb.WriteString("query { note { ...f20 } } fragment f0 on note { body }")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&bomb, " fragment f%d on note { ...f%d ...f%d }", i, i-1, i-1)
	}
	deep := "{ note { " + strings.Repeat("user_account_id { usergroup_id { ", 10) + "name" + strings.Repeat(" } }", 10) + " } }"
	cases := []struct{ name, query, want string }{
		{"argument nested 600 levels", nested(600), "nests deeper"},
		{"argument nested 1000 levels", nested(1000), "nests deeper"},
		{"argument nested 12 levels", nested(12), "argument nests deeper than 10"},
		{"1000 aliases", aliases.String(), "more than 100 aliases"},
		{"fragment bomb", bomb.String(), "more than 2000 fields"},
		{"selections 20 levels deep", deep, "deeper than 15 levels"},
	}
	for _, tc := range cases {
		start := time.Now()
		r := s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": tc.query}, "")
		took := time.Since(start)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), tc.want) {
			t.Errorf("%s: %d %.300s", tc.name, r.Status, r.Body)
		}
		if took > 2*time.Second {
			t.Errorf("%s took %v to refuse", tc.name, took)
		}
	}
	// Variables nest no deeper than arguments.
	v := map[string]any{"x": 1}
	for i := 0; i < 50; i++ {
		v = map[string]any{"x": v}
	}
	r := s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": "query($f: String) { note(filter: $f) { body } }", "variables": map[string]any{"f": v}}, "")
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "variable nests deeper") {
		t.Errorf("deep variables: %d %.300s", r.Status, r.Body)
	}
	// An ordinary query with a few aliases and fragments still works.
	s.Do(t, http.MethodPost, "/api/note", map[string]any{"data": map[string]any{"type": "note", "attributes": map[string]any{"body": "hello"}}}, admin)
	r = s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": "query { a: note { ...b } c: note { body } } fragment b on note { body reference_id }"}, admin)
	if r.Status != http.StatusOK || strings.Count(string(r.Body), "hello") != 2 {
		t.Errorf("ordinary query: %d %s", r.Status, r.Body)
	}
}

// An answer larger than -graphql_max_answer_bytes is replaced by an error.
func graphQLAnswerSize(t *testing.T, s *testserver.Server, admin string) {
	for i := 0; i < 20; i++ {
		r := s.Do(t, http.MethodPost, "/api/note", map[string]any{"data": map[string]any{"type": "note", "attributes": map[string]any{"body": strings.Repeat("x", 60)}}}, admin)
		if r.Status >= 300 {
			t.Fatalf("create note: %d %s", r.Status, r.Body)
		}
	}
	r := s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": "{ note(page: {size: 20}) { body } }"}, admin)
	if !strings.Contains(string(r.Body), fmt.Sprintf("larger than %d bytes", limitsAnswerBytes)) || strings.Contains(string(r.Body), "xxxxx") {
		t.Errorf("oversized answer: %d %s", r.Status, r.Body)
	}
	r = s.Do(t, http.MethodPost, "/graphql", map[string]any{"query": "{ note(page: {size: 1}) { reference_id } }"}, admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"reference_id"`) || strings.Contains(string(r.Body), "errors") {
		t.Errorf("small answer: %d %s", r.Status, r.Body)
	}
}
