// Package dialects holds the end-to-end tests of the Dexie Cloud and
// Daybed REST dialects (issue 21): each seed text replayed against a real
// server, and cross-dialect checks through JSON:API.
package dialects

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// dexieSchema has tables keyed by reference id (notices is public by
// default: guests may peek and read) and one with a compound key.
const dexieSchema = `
Tables:
  - TableName: todo_items
    DefaultPermission: 61312
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200)}
      - {Name: todo_list_id, ColumnType: label, DataType: varchar(100), IsNullable: true}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
  - TableName: todoLists
    DefaultPermission: 61312
    Columns:
      - {Name: listTitle, ColumnType: label, DataType: varchar(200)}
  - TableName: notices
    DefaultPermission: 61315
    Columns:
      - {Name: text, ColumnType: label, DataType: varchar(200)}
  - TableName: compound_table
    DefaultPermission: 61312
    CompositeKeys: [[name, num]]
    Columns:
      - {Name: name, ColumnType: label, DataType: varchar(100)}
      - {Name: num, ColumnType: measurement, DataType: int(11)}
      - {Name: note, ColumnType: label, DataType: varchar(100), IsNullable: true}
`

const allowAll = 2097151

// jsonapiCreate posts a row through JSON:API and returns its id.
func jsonapiCreate(t testing.TB, s *testserver.Server, tok, typ string, a map[string]any) string {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/api/"+typ, map[string]any{"data": map[string]any{"type": typ, "attributes": a}}, tok)
	if r.Status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", typ, r.Status, r.Body)
	}
	return r.Map(t)["data"].(map[string]any)["id"].(string)
}

// jsonapiList lists rows of a table through JSON:API.
func jsonapiList(t testing.TB, s *testserver.Server, tok, typ string) []map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(typ, "?") {
		sep = "&"
	}
	r := s.Do(t, http.MethodGet, "/api/"+typ+sep+"page[size]=100", nil, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("list %s: %d %s", typ, r.Status, r.Body)
	}
	var out []map[string]any
	for _, d := range r.Map(t)["data"].([]any) {
		out = append(out, d.(map[string]any))
	}
	return out
}

// openGate lets every caller through the table gate of table.
func openGate(t testing.TB, s *testserver.Server, admin, table string) {
	t.Helper()
	q := url.QueryEscape(`[{"column":"table_name","operator":"is","value":"` + table + `"}]`)
	rows := jsonapiList(t, s, admin, "world?query="+q)
	if len(rows) != 1 {
		t.Fatalf("world row of %s: %v", table, rows)
	}
	id := rows[0]["id"].(string)
	r := s.Do(t, http.MethodPatch, "/api/world/"+id, map[string]any{"data": map[string]any{"type": "world", "id": id,
		"attributes": map[string]any{"permission": allowAll}}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("open gate %s: %d %s", table, r.Status, r.Body)
	}
}

// myID returns the caller's user reference id.
func myID(t testing.TB, s *testserver.Server, tok string) string {
	t.Helper()
	return s.Do(t, http.MethodGet, "/api/user_account/mine", nil, tok).Map(t)["data"].(map[string]any)["id"].(string)
}

// dexieToken asks POST /token for a token and returns the whole answer.
func dexieToken(t testing.TB, s *testserver.Server, clientID, secret string, scopes []string, claims map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"grant_type": "client_credentials", "client_id": clientID, "client_secret": secret, "scopes": scopes}
	if claims != nil {
		body["claims"] = claims
	}
	r := s.Do(t, http.MethodPost, "/token", body, "")
	if r.Status != http.StatusOK {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	return r.Map(t)
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readAll(resp *http.Response) ([]byte, error) { return io.ReadAll(resp.Body) }
