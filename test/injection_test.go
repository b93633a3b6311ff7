package test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// injections are classic SQL injection strings.
var injections = []string{
	`' OR '1'='1`, `' OR 1=1 --`, `"; DROP TABLE todo; --`, `1; DROP TABLE project`, `') OR ('a'='a`,
	`title; DELETE FROM todo`, `title--`, `title/*`, `*/ OR 1=1`, `1 UNION SELECT password FROM user_account`,
	`' UNION SELECT NULL,NULL,NULL--`, `admin'--`, `%' AND 1=0 UNION SELECT email FROM user_account WHERE '%'='`,
	`1' AND SLEEP(5)--`, `1; SELECT pg_sleep(5)`, `' AND (SELECT COUNT(*) FROM world) > 0 --`,
	"title`", `title"`, `title'`, `\'; DROP TABLE todo; --`, `0x27`, `%27%20OR%201%3D1`, `title,(SELECT 1)`,
	`-title;drop`, `+title desc`, `title asc, (select 1)`, `user_account.password`, `t.password`, `*`,
	`1 OR 1=1`, `null`, `IS NULL OR 1=1`, `LIKE '%'`, `' || '1'='1`, `'; EXEC xp_cmdshell('dir'); --`,
}

// corpus expands the base strings with common wrappings (quote styles,
// comment terminators, stacked queries, encodings) into a few hundred.
func corpus() []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	wraps := []func(string) string{
		func(v string) string { return v },
		func(v string) string { return "'" + v },
		func(v string) string { return `"` + v },
		func(v string) string { return ")" + v },
		func(v string) string { return v + " --" },
		func(v string) string { return v + " #" },
		func(v string) string { return v + ";" },
		func(v string) string { return strings.ToUpper(v) },
		func(v string) string { return url.QueryEscape(v) },
	}
	for _, base := range injections {
		for _, w := range wraps {
			add(w(base))
		}
	}
	return out
}

// TestInjectionCorpus sends every string through every query parameter,
// path segment and attribute name: each answer is a 4xx or a correct empty
// result, never a 5xx, and the canary rows are unchanged.
func TestInjectionCorpus(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	// Thousands of requests on a few paths: the rate limiter is not under test.
	setConfig(t, s, "limit.rate", `{"version":"1","limits":{"/api/todo":1000000,"/aggregate/todo":1000000}}`)
	seedTodos(t, s, tok)
	canary := titles(t, s.Do(t, http.MethodGet, "/api/todo"+q("sort", "title"), nil, tok))
	check := func(what string, r int) {
		t.Helper()
		if r >= 500 {
			t.Errorf("%s: status %d", what, r)
		}
	}
	all := corpus()
	if len(all) < 200 {
		t.Fatalf("corpus has %d strings", len(all))
	}
	for _, inj := range all {
		esc := url.QueryEscape(inj)
		jsonInj := strings.ReplaceAll(strings.ReplaceAll(inj, `\`, `\\`), `"`, `\"`)
		for _, path := range []string{
			"/api/todo?sort=" + esc,
			"/api/todo?filter=" + esc,
			"/api/todo?query=" + url.QueryEscape(`[{"column":"`+jsonInj+`","operator":"is","value":1}]`),
			"/api/todo?query=" + url.QueryEscape(`[{"column":"title","operator":"`+jsonInj+`","value":1}]`),
			"/api/todo?query=" + url.QueryEscape(`[{"column":"title","operator":"is","value":"`+jsonInj+`"}]`),
			"/api/todo?query=" + url.QueryEscape(`[{"column":"title","operator":"like","value":"`+jsonInj+`"}]`),
			"/api/todo?include=" + esc,
			"/api/todo?fields=" + esc,
			"/api/todo?page[size]=" + esc,
			"/api/todo?page[number]=" + esc,
			"/api/todo?page[after]=" + esc,
			"/api/todo?project_id=" + esc,
			"/api/todo?" + esc + "=1",
			"/api/" + url.PathEscape(inj),
			"/api/todo/" + url.PathEscape(inj),
			"/api/todo/" + url.PathEscape(inj) + "/project_id",
			"/aggregate/todo?column=" + esc,
			"/aggregate/todo?group=" + esc,
			"/aggregate/todo?filter=" + esc,
			"/aggregate/todo?filter=" + url.QueryEscape("eq(title,"+inj+")"),
			"/aggregate/todo?having=" + esc,
			"/aggregate/todo?join=" + esc,
			"/aggregate/todo?order=" + esc,
			"/aggregate/" + url.PathEscape(inj),
		} {
			r := s.Do(t, http.MethodGet, path, nil, tok)
			check("GET "+path, r.Status)
			if r.Status == http.StatusOK && strings.HasPrefix(path, "/api/todo?filter=") {
				if n := len(listOf(t, r)); n != 0 {
					t.Errorf("filter %q matched %d rows: %v", inj, n, titles(t, r))
				}
			}
		}
		r := s.Do(t, http.MethodPost, "/api/todo", doc("todo", map[string]any{inj: 1, "title": "x"}, nil), tok)
		check("POST attribute "+inj, r.Status)
		if r.Status < 400 {
			t.Errorf("POST with attribute %q accepted", inj)
		}
	}
	for _, inj := range injections {
		r := s.Do(t, http.MethodPost, "/api/tag", doc("tag", map[string]any{"label": inj}, nil), tok)
		if r.Status != http.StatusCreated {
			t.Errorf("a value that looks like SQL is plain data: %d %s", r.Status, r.Body)
		}
	}
	if got := titles(t, s.Do(t, http.MethodGet, "/api/todo"+q("sort", "title"), nil, tok)); strings.Join(got, "|") != strings.Join(canary, "|") {
		t.Errorf("canary changed: %v -> %v", canary, got)
	}
	// The SQL-looking tag labels were stored verbatim.
	r := s.Do(t, http.MethodGet, "/api/tag"+q("page[size]", "500"), nil, tok)
	if n := len(listOf(t, r)); n != len(injections) {
		t.Errorf("%d tags stored, want %d", n, len(injections))
	}
}
