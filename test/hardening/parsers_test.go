package hardening

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// Every parser a guest can reach answers an oversized or over-nested
// input with a quick 4xx, never a 5xx and never seconds of work.
func parserLimits(t *testing.T, s *testserver.Server, admin string) {
	s.Do(t, http.MethodPost, "/api/note", map[string]any{"data": map[string]any{"type": "note", "attributes": map[string]any{"body": "x"}}}, admin)
	many := func(n int, f func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, ",")
	}
	conds := "[" + many(5000, func(i int) string {
		return fmt.Sprintf(`{"column":"body","operator":"is","value":"v%d","logical_group":"g"}`, i)
	}) + "]"
	deepValue := `[{"column":"body","operator":"is","value":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}]`
	cases := []struct {
		name, path string
	}{
		{"query= with 5000 conditions", "/api/note?query=" + url.QueryEscape(conds)},
		{"query= value nested 5000 levels", "/api/note?query=" + url.QueryEscape(deepValue)},
		{"include with 50000 names", "/api/note?include=" + many(50000, func(i int) string { return fmt.Sprintf("r%d", i) })},
		{"include chain 2000 long", "/api/note?include=" + many(1, func(int) string { return strings.Repeat("user_account_id.", 2000) + "x" })},
		{"fields with 50000 names", "/api/note?fields=" + many(50000, func(i int) string { return fmt.Sprintf("f%d", i) })},
		{"sort with 50000 keys", "/api/note?sort=" + many(50000, func(i int) string { return fmt.Sprintf("f%d", i) })},
		{"relation filter with 2000 ids", "/api/note?user_account_id=" + many(2000, func(i int) string { return fmt.Sprintf("%08d-0000-0000-0000-000000000000", i) })},
		{"filter= keyword of 100000 characters", "/api/note?filter=" + strings.Repeat("a", 100000)},
		{"aggregate with deep parentheses", "/aggregate/note?column=" + strings.Repeat("count(", 2000) + "*" + strings.Repeat(")", 2000)},
	}
	for _, tc := range cases {
		for _, tok := range []string{"", admin} {
			start := time.Now()
			r := s.Do(t, http.MethodGet, tc.path, nil, tok)
			took := time.Since(start)
			if r.Status >= 500 || took > 2*time.Second {
				t.Errorf("%s as %s: %d after %v: %.300s", tc.name, who(tok), r.Status, took, r.Body)
			}
			t.Logf("%s as %s: %d in %v", tc.name, who(tok), r.Status, took)
		}
	}
}
