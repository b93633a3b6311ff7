package test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// biSchema is the table the built-in data actions work on; part has a
// required reference to gadget.
const biSchema = `
Tables:
  - TableName: gadget
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: size, ColumnType: measurement, DataType: int(11), IsNullable: true}
      - {Name: colour, ColumnType: color, IsNullable: true}
  - TableName: part
    Columns:
      - {Name: label, ColumnType: label}
Relations:
  - {Subject: part, Relation: belongs_to, Object: gadget}
`

func biFiles(field, name, content string) map[string]any {
	return map[string]any{field: []any{map[string]any{"name": name, "type": "application/json",
		"file": "data:application/json;base64," + base64.StdEncoding.EncodeToString([]byte(content))}}}
}

// biAnswer decodes an action answer into its instructions.
func biAnswer(t *testing.T, r testserver.Response) []map[string]any {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("not an action answer (%v): %s", err, r.Body)
	}
	return list
}

// biDownload returns the decoded content and name of a client.file.download answer.
func biDownload(t *testing.T, r testserver.Response) ([]byte, string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("download: %d %s", r.Status, r.Body)
	}
	list := biAnswer(t, r)
	if len(list) != 1 || list[0]["ResponseType"] != "client.file.download" {
		t.Fatalf("not a download: %s", r.Body)
	}
	a := list[0]["Attributes"].(map[string]any)
	b, err := base64.StdEncoding.DecodeString(a["content"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return b, a["name"].(string)
}

func biUploaded(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "schema_uploaded_*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBuiltinSchemaActions(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")

	content, name := biDownload(t, action(t, s, "/action/world/download_system_schema", nil, admin))
	var dump map[string]any
	if err := json.Unmarshal(content, &dump); err != nil || name != "schema.json" {
		t.Fatalf("schema download %s: %v", name, err)
	}
	if !strings.Contains(string(content), `"TableName":"user_account"`) {
		t.Error("downloaded schema lacks user_account")
	}

	gadget := `{"Tables":[{"TableName":"gadget","Columns":[{"Name":"title","ColumnType":"label"}]}]}`
	if r := action(t, s, "/action/world/upload_system_schema", biFiles("schema_file", "schema_gadget.json", gadget), bob); r.Status != http.StatusForbidden {
		t.Errorf("upload by a user: %d %s", r.Status, r.Body)
	}
	for _, bad := range []string{`{"Tables":[{"TableName":"gadget"`, `{"Tables":[{"TableName":"gadget","Columns":[{"Name":"x","ColumnType":"bogus"}]}]}`} {
		if r := action(t, s, "/action/world/upload_system_schema", biFiles("schema_file", "schema_gadget.json", bad), admin); r.Status != http.StatusBadRequest {
			t.Errorf("broken upload: %d %s", r.Status, r.Body)
		}
	}
	if f := biUploaded(t, s.Dir); len(f) != 0 {
		t.Fatalf("broken uploads left files: %v", f)
	}

	r := action(t, s, "/action/world/upload_system_schema", biFiles("schema_file", "schema_gadget.json", gadget), admin)
	list := biAnswer(t, r)
	if r.Status != http.StatusOK || len(list) != 2 || list[0]["ResponseType"] != "client.notify" || list[1]["ResponseType"] != "client.redirect" {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if f := biUploaded(t, s.Dir); len(f) != 1 || filepath.Base(f[0]) != "schema_uploaded_schema_gadget.json" {
		t.Errorf("uploaded files: %v", f)
	}
	// Applied at once: no restart between the upload and the first write.
	create(t, s, admin, "gadget", map[string]any{"title": "lamp"}, nil)

	r = action(t, s, "/action/world/restart_daptin", nil, admin)
	if r.Status != http.StatusOK || notifyMessage(t, r) != "Initiating system update." {
		t.Fatalf("restart_daptin: %d %s", r.Status, r.Body)
	}
	if rows := listOf(t, s.Do(t, http.MethodGet, "/api/gadget", nil, admin)); len(rows) != 1 {
		t.Errorf("gadget rows after restart_daptin: %d", len(rows))
	}
}

func TestBuiltinGenerateRandomData(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_bi.yaml", biSchema))
	admin := s.Admin(t)
	gen := func(table string, n any) testserver.Response {
		return action(t, s, "/action/world/generate_random_data", map[string]any{"table_name": table, "count": n}, admin)
	}
	if r := gen("part", 3); r.Status != http.StatusBadRequest {
		t.Errorf("parts with no gadget to point at: %d %s", r.Status, r.Body)
	}
	r := gen("gadget", 25)
	if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("generate: %d %s", r.Status, r.Body)
	}
	if n := len(listOf(t, s.Do(t, http.MethodGet, "/api/gadget"+q("page[size]", "100"), nil, admin))); n != 25 {
		t.Errorf("gadget rows: %d", n)
	}
	if r := gen("part", 5); r.Status != http.StatusOK {
		t.Fatalf("generate parts: %d %s", r.Status, r.Body)
	}
	for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/part", nil, admin)) {
		if ref, _ := attrs(row)["gadget_id"].(string); ref == "" {
			t.Errorf("part without its gadget: %v", row)
		}
	}
	for _, bad := range []any{0, 10001, 2.5, "25", nil} {
		if r := gen("gadget", bad); r.Status != http.StatusBadRequest {
			t.Errorf("count %v: %d %s", bad, r.Status, r.Body)
		}
	}
	if r := gen("nosuchtable", 1); r.Status != http.StatusNotFound {
		t.Errorf("unknown table: %d %s", r.Status, r.Body)
	}
}

func biExport(t *testing.T, s *testserver.Server, tok string, a map[string]any) (map[string][]map[string]any, string) {
	t.Helper()
	content, name := biDownload(t, action(t, s, "/action/world/export_data", a, tok))
	var doc map[string][]map[string]any
	if err := json.Unmarshal(content, &doc); err != nil {
		t.Fatalf("export is not JSON (%v): %.300s", err, content)
	}
	for table, rows := range doc {
		for _, row := range rows {
			if _, ok := row["id"]; ok {
				t.Fatalf("%s row carries an internal id: %v", table, row)
			}
		}
	}
	return doc, name
}

func biTitles(t *testing.T, s *testserver.Server, tok string) []string {
	t.Helper()
	var out []string
	for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/gadget"+q("page[size]", "100"), nil, tok)) {
		out = append(out, row["id"].(string)+"="+attrs(row)["title"].(string))
	}
	sort.Strings(out)
	return out
}

func TestBuiltinExportImport(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_bi.yaml", biSchema))
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	for _, title := range []string{"lamp", "chair", "desk"} {
		create(t, s, admin, "gadget", map[string]any{"title": title, "size": 3}, nil)
	}
	before := biTitles(t, s, admin)

	if r := action(t, s, "/action/world/export_data", map[string]any{"table_name": "gadget"}, bob); r.Status != http.StatusForbidden {
		t.Errorf("export by a user: %d %s", r.Status, r.Body)
	}
	if r := action(t, s, "/action/world/export_data", map[string]any{"format": "csv"}, admin); r.Status != http.StatusBadRequest {
		t.Errorf("csv export of every table: %d %s", r.Status, r.Body)
	}
	doc, name := biExport(t, s, admin, map[string]any{"table_name": "gadget", "format": "json"})
	if name != "daptin_export_gadget.json" || len(doc) != 1 || len(doc["gadget"]) != 3 {
		t.Fatalf("gadget export %s: %v", name, doc)
	}
	all, name := biExport(t, s, admin, map[string]any{})
	if name != "daptin_export_complete.json" || len(all["gadget"]) != 3 || len(all["user_account"]) < 2 {
		t.Fatalf("complete export %s: %d gadgets, %d users", name, len(all["gadget"]), len(all["user_account"]))
	}

	dump, _ := json.Marshal(doc)
	for _, row := range doc["gadget"] {
		if r := s.Do(t, http.MethodDelete, "/api/gadget/"+row["reference_id"].(string), nil, admin); r.Status >= 300 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
	}
	world := worldID(t, s, admin, "gadget")
	imp := func(content string, truncate bool) testserver.Response {
		a := biFiles("dump_file", "dump.json", content)
		a["world_id"], a["truncate_before_insert"], a["atomic"] = world, truncate, true
		return action(t, s, "/action/world/import_data", a, admin)
	}
	r := imp(string(dump), false)
	if r.Status != http.StatusOK || notifyMessage(t, r) != "Imported 3 rows into gadget, 0 failed" {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	if after := biTitles(t, s, admin); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("round trip changed rows:\n%v\n%v", before, after)
	}
	if r := imp(string(dump), true); r.Status != http.StatusOK {
		t.Errorf("import with truncate: %d %s", r.Status, r.Body)
	}

	// One bad row of an atomic import: nothing of the dump is kept.
	if r := imp(`{"gadget":[{"title":"fine"},{"size":4}]}`, true); r.Status != http.StatusBadRequest {
		t.Errorf("import with a bad row: %d %s", r.Status, r.Body)
	}
	if after := biTitles(t, s, admin); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("failed import changed rows: %v", after)
	}
	if r := imp(`{"nosuchtable":[]}`, false); r.Status != http.StatusNotFound {
		t.Errorf("unknown table: %d %s", r.Status, r.Body)
	}
}

func TestBuiltinAddExchange(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_bi.yaml", biSchema))
	admin := s.Admin(t)
	r := action(t, s, "/action/world/add_exchange", map[string]any{"world_id": worldID(t, s, admin, "gadget"),
		"name": "gadget sheet", "sheet_id": "sheet123", "app_key": "key456"}, admin)
	if r.Status != http.StatusOK || notifyMessage(t, r) != "Exchange added" {
		t.Fatalf("add_exchange: %d %s", r.Status, r.Body)
	}
	rows := listOf(t, s.Do(t, http.MethodGet, "/api/data_exchange", nil, admin))
	if len(rows) != 1 {
		t.Fatalf("data_exchange rows: %d", len(rows))
	}
	a := attrs(rows[0])
	js, _ := json.Marshal(a)
	if a["name"] != "gadget sheet" || a["target_type"] != "gsheet-append" || a["source_type"] != "self" ||
		!strings.Contains(string(js), "spreadsheets/sheet123/values/A1:append") || !strings.Contains(string(js), "key456") {
		t.Errorf("exchange row: %s", js)
	}
	// The name is unique.
	if r := action(t, s, "/action/world/add_exchange", map[string]any{"world_id": worldID(t, s, admin, "gadget"),
		"name": "gadget sheet", "sheet_id": "x", "app_key": "y"}, admin); r.Status != http.StatusConflict {
		t.Errorf("duplicate exchange: %d %s", r.Status, r.Body)
	}
}
