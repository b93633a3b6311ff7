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

// TestInjectionCorpus sends every string through every query parameter,
// path segment and attribute name: each answer is a 4xx or a correct empty
// result, never a 5xx, and the canary rows are unchanged.
func TestInjectionCorpus(t *testing.T) {
	t.Parallel()
	s := startTodo(t)
	tok := s.Admin(t)
	seedTodos(t, s, tok)
	canary := titles(t, s.Do(t, http.MethodGet, "/api/todo"+q("sort", "title"), nil, tok))
	check := func(what string, r int) {
		t.Helper()
		if r >= 500 {
			t.Errorf("%s: status %d", what, r)
		}
	}
	for _, inj := range injections {
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
		} {
			r := s.Do(t, http.MethodGet, path, nil, tok)
			check("GET "+path, r.Status)
			if r.Status == http.StatusOK && strings.Contains(path, "filter=") {
				if n := len(listOf(t, r)); n != 0 {
					t.Errorf("filter %q matched %d rows", inj, n)
				}
			}
		}
		r := s.Do(t, http.MethodPost, "/api/todo", doc("todo", map[string]any{inj: 1, "title": "x"}, nil), tok)
		check("POST attribute "+inj, r.Status)
		if r.Status < 400 {
			t.Errorf("POST with attribute %q accepted", inj)
		}
		r = s.Do(t, http.MethodPost, "/api/tag", doc("tag", map[string]any{"label": inj}, nil), tok)
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
