package test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

const (
	adminEmail    = "admin@example.test"
	adminPassword = "admin-password"
)

const noteSchemaV1 = `
Tables:
  - TableName: note
    Columns:
      - {Name: title, ColumnType: label}
`

// noteSchemaV2 adds a nullable column to note and a whole new table.
const noteSchemaV2 = `
Tables:
  - TableName: note
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: summary, ColumnType: content, IsNullable: true}
  - TableName: newtable
    Columns:
      - {Name: label, ColumnType: label}
`

// rowKeys lists "id table_name" for every row of a table, sorted, as the
// administrator sees it.
func rowKeys(t *testing.T, s *testserver.Server, tok, typ, attr string) []string {
	t.Helper()
	var keys []string
	for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/"+typ+q("page[size]", "1000"), nil, tok)) {
		keys = append(keys, row["id"].(string)+" "+toString(attrs(row)[attr]))
	}
	slices.Sort(keys)
	return keys
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// restart closes s and boots a new server on the same folder and database.
func restart(t *testing.T, s *testserver.Server, dir, dbType, dsn string, opts ...testserver.Option) *testserver.Server {
	t.Helper()
	if err := s.Srv.Close(); err != nil {
		t.Fatalf("close first server: %v", err)
	}
	return testserver.Start(t, append([]testserver.Option{testserver.WithDatabase(dir, dbType, dsn)}, opts...)...)
}

func TestStartTwiceReusesDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbType, dsn := dbtest.NewDSN(t)
	s1 := testserver.Start(t, testserver.WithDatabase(dir, dbType, dsn), testserver.WithSchema("schema_note.yaml", noteSchemaV1))
	tok := s1.Admin(t)
	id := create(t, s1, tok, "note", map[string]any{"title": "before restart"}, nil)
	worlds := rowKeys(t, s1, tok, "world", "table_name")
	groups := rowKeys(t, s1, tok, "usergroup", "name")
	users := rowKeys(t, s1, tok, "user_account", "email")
	if len(worlds) == 0 || !slices.ContainsFunc(worlds, func(k string) bool { return strings.HasSuffix(k, " note") }) {
		t.Fatalf("world has no row for note: %v", worlds)
	}

	s2 := restart(t, s1, dir, dbType, dsn)
	tok = s2.SignIn(t, adminEmail, adminPassword)
	for _, c := range []struct {
		typ, attr string
		before    []string
	}{{"world", "table_name", worlds}, {"usergroup", "name", groups}, {"user_account", "email", users}} {
		if after := rowKeys(t, s2, tok, c.typ, c.attr); !slices.Equal(after, c.before) {
			t.Errorf("%s changed across a restart:\nbefore %v\nafter  %v", c.typ, c.before, after)
		}
	}
	r := s2.Do(t, http.MethodGet, "/api/note/"+id, nil, tok)
	if r.Status != http.StatusOK || attrs(dataOf(t, r))["title"] != "before restart" {
		t.Errorf("row created before the restart: %d %s", r.Status, r.Body)
	}
	// The lock-down survives: a stranger may not sign up as administrator.
	if r := s2.Do(t, http.MethodPost, "/action/world/become_an_administrator", map[string]any{"attributes": map[string]any{}},
		s2.User(t, "Eve", "eve@example.test", "eve-password")); r.Status == http.StatusOK {
		t.Errorf("a second user became administrator after the restart: %s", r.Body)
	}
}

func TestStartMigratesSchemaChangeInPlace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbType, dsn := dbtest.NewDSN(t)
	s1 := testserver.Start(t, testserver.WithDatabase(dir, dbType, dsn), testserver.WithSchema("schema_note.yaml", noteSchemaV1))
	tok := s1.Admin(t)
	id := create(t, s1, tok, "note", map[string]any{"title": "kept"}, nil)
	if r := s1.Do(t, http.MethodGet, "/api/newtable", nil, tok); r.Status == http.StatusOK {
		t.Fatalf("newtable answers before it is in the schema: %s", r.Body)
	}

	s2 := restart(t, s1, dir, dbType, dsn, testserver.WithSchema("schema_note.yaml", noteSchemaV2))
	tok = s2.SignIn(t, adminEmail, adminPassword)
	r := s2.Do(t, http.MethodGet, "/api/note/"+id, nil, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("old row after migration: %d %s", r.Status, r.Body)
	}
	a := attrs(dataOf(t, r))
	if a["title"] != "kept" {
		t.Errorf("title = %v, want kept", a["title"])
	}
	if v, ok := a["summary"]; !ok || v != nil {
		t.Errorf("new column summary = %v (present %v), want null", v, ok)
	}
	if n := len(listOf(t, s2.Do(t, http.MethodGet, "/api/note", nil, tok))); n != 1 {
		t.Errorf("note has %d rows after migration, want 1", n)
	}
	r = s2.Do(t, http.MethodGet, "/api/newtable", nil, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/newtable: %d %s", r.Status, r.Body)
	}
	if n := len(listOf(t, r)); n != 0 {
		t.Errorf("newtable has %d rows, want 0", n)
	}
	// Both the new column and the new table accept writes.
	create(t, s2, tok, "newtable", map[string]any{"label": "first"}, nil)
	r = s2.Do(t, http.MethodPatch, "/api/note/"+id, map[string]any{"data": map[string]any{
		"type": "note", "id": id, "attributes": map[string]any{"summary": "added later"}}}, tok)
	if r.Status != http.StatusOK || attrs(dataOf(t, r))["summary"] != "added later" {
		t.Errorf("update new column: %d %s", r.Status, r.Body)
	}
}
