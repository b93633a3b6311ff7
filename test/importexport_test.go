package test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/apiary/apiary/test/testserver"
)

// ieFile is a file-list input holding one data URI.
func ieFile(name, mime string, content []byte) []any {
	return []any{map[string]any{"name": name, "type": mime,
		"file": "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(content)}}
}

// ieErrors returns the import.errors instruction of an import answer.
func ieErrors(t *testing.T, r testserver.Response) map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	for _, ins := range biAnswer(t, r) {
		if ins["ResponseType"] == "import.errors" {
			return ins["Attributes"].(map[string]any)
		}
	}
	t.Fatalf("no import.errors in %s", r.Body)
	return nil
}

// ieRows lists a table as "col=value" lines per row, sorted, for the
// columns asked.
func ieRows(t *testing.T, s *testserver.Server, tok, table string, cols ...string) []string {
	t.Helper()
	var out []string
	for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/"+table+q("page[size]", "500"), nil, tok)) {
		a := attrs(row)
		var parts []string
		for _, c := range cols {
			v := a[c]
			parts = append(parts, c+"="+strings.TrimSpace(strings.ReplaceAll(toText(v), "\n", " ")))
		}
		out = append(out, strings.Join(parts, " "))
	}
	sort.Strings(out)
	return out
}

func toText(v any) string {
	if v == nil {
		return "<nil>"
	}
	return fmt.Sprint(v)
}

const peopleCSV = "Name,Age,City,Joined,Score,Active\nAnn,34,Lisbon,2024-01-05,1.5,yes\nBen,28,Oslo,2023-11-20,2,no\nCleo,41,Quito,2022-06-30,,true\n"

func TestUploadCSVCreatesTable(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	up := func(tok, entity string, create, add bool, content string) testserver.Response {
		return action(t, s, "/action/world/upload_csv_to_system_schema", map[string]any{"entity_name": entity,
			"create_if_not_exists": create, "add_missing_columns": add, "data_csv_file": ieFile("people.csv", "text/csv", []byte(content))}, tok)
	}
	if r := up(bob, "people", true, false, peopleCSV); r.Status != http.StatusForbidden {
		t.Errorf("table creation by a user: %d %s", r.Status, r.Body)
	}
	if r := up(admin, "9 people", true, false, peopleCSV); r.Status != http.StatusBadRequest {
		t.Errorf("bad entity name: %d %s", r.Status, r.Body)
	}
	if r := up(admin, "people", false, false, peopleCSV); r.Status != http.StatusNotFound {
		t.Errorf("unknown entity without create: %d %s", r.Status, r.Body)
	}
	e := ieErrors(t, up(admin, "people", true, false, peopleCSV))
	if e["imported"] != float64(3) || e["failed"] != float64(0) {
		t.Fatalf("import answer %v", e)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "schema_uploaded_people.json")); err != nil {
		t.Errorf("schema file: %v", err)
	}
	got := ieRows(t, s, admin, "people", "name", "age", "joined", "score", "active")
	want := []string{
		"name=Ann age=34 joined=2024-01-05T00:00:00Z score=1.5 active=1",
		"name=Ben age=28 joined=2023-11-20T00:00:00Z score=2 active=0",
		"name=Cleo age=41 joined=2022-06-30T00:00:00Z score=<nil> active=1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Typed columns reject wrong values through the JSON:API too.
	r := s.Do(t, http.MethodPost, "/api/people", doc("people", map[string]any{"name": "Dan", "age": "old"}, nil), admin)
	if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("text in an integer column: %d %s", r.Status, r.Body)
	}

	// A later file with a new column adds it when asked.
	more := "name,age,email\nDora,19,dora@example.com\n"
	if r := up(admin, "people", false, false, more); r.Status != http.StatusBadRequest {
		t.Errorf("unknown column without add_missing_columns: %d %s", r.Status, r.Body)
	}
	if r := up(bob, "people", false, true, more); r.Status != http.StatusForbidden {
		t.Errorf("column added by a user: %d %s", r.Status, r.Body)
	}
	if e := ieErrors(t, up(admin, "people", false, true, more)); e["imported"] != float64(1) {
		t.Fatalf("add columns: %v", e)
	}
	rows := ieRows(t, s, admin, "people", "name", "email")
	if len(rows) != 4 || rows[1] != "name=Ben email=<nil>" || rows[3] != "name=Dora email=dora@example.com" {
		t.Errorf("after add: %q", rows)
	}
	// Import into the existing table, no schema change.
	if e := ieErrors(t, up(admin, "people", false, false, "name,city\nEve,Rome\n")); e["imported"] != float64(1) {
		t.Errorf("existing table import: %v", e)
	}
}

func ieWorkbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploadXLSCreatesTable(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	book := ieWorkbook(t, [][]any{{"Product Name", "Price", "In Stock", "Released"},
		{"Lamp", "12.5", "yes", "2021-03-04"}, {"Desk", "120", "no", "2020-01-02"}})
	r := action(t, s, "/action/world/upload_xls_to_system_schema", map[string]any{"entity_name": "Product", "create_if_not_exists": true,
		"data_xls_file": ieFile("p.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", book)}, admin)
	if e := ieErrors(t, r); e["imported"] != float64(2) {
		t.Fatalf("xlsx import: %v", e)
	}
	got := ieRows(t, s, admin, "product", "product_name", "price", "in_stock", "released")
	want := "product_name=Desk price=120 in_stock=0 released=2020-01-02T00:00:00Z|product_name=Lamp price=12.5 in_stock=1 released=2021-03-04T00:00:00Z"
	if strings.Join(got, "|") != want {
		t.Errorf("rows %q", got)
	}
}

func TestImportMalformedRows(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_bi.yaml", biSchema))
	admin := s.Admin(t)
	world := worldID(t, s, admin, "gadget")
	imp := func(content []byte, extra map[string]any) testserver.Response {
		a := map[string]any{"world_id": world, "dump_file": ieFile("g.csv", "text/csv", content)}
		for k, v := range extra {
			a[k] = v
		}
		return action(t, s, "/action/world/import_data", a, admin)
	}
	bad := []byte("title,size\ngood one,1\nragged\nbad\xffutf,2\nwrong type,abc\n\"broken,3\n")
	// Atomic: nothing is written.
	if r := imp(bad, map[string]any{"atomic": true}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "row 3") {
		t.Errorf("atomic import: %d %s", r.Status, r.Body)
	}
	if n := len(ieRows(t, s, admin, "gadget", "title")); n != 0 {
		t.Errorf("atomic import wrote %d rows", n)
	}
	e := ieErrors(t, imp(bad, nil))
	errs := e["errors"].([]any)
	if e["imported"] != float64(1) || e["failed"] != float64(len(errs)) || len(errs) < 3 {
		t.Fatalf("per-row import: %v", e)
	}
	rows := map[float64]map[string]any{}
	for _, x := range errs {
		m := x.(map[string]any)
		rows[m["row"].(float64)] = m
	}
	if rows[3] == nil || rows[4] == nil || rows[5] == nil || rows[5]["column"] != "size" {
		t.Errorf("row errors %v", errs)
	}
	if got := ieRows(t, s, admin, "gadget", "title", "size"); len(got) != 1 || got[0] != "title=good one size=1" {
		t.Errorf("rows kept: %q", got)
	}
	// A bad data URI is a 400, not a 500.
	r := action(t, s, "/action/world/import_data", map[string]any{"world_id": world,
		"dump_file": []any{map[string]any{"name": "g.csv", "file": "data:text/csv;base64,%%%not-base64"}}}, admin)
	if r.Status != http.StatusBadRequest {
		t.Errorf("bad data URI: %d %s", r.Status, r.Body)
	}
	// A duplicate id inside a batch costs only that row.
	id := "01a20000-0000-7000-8000-000000000001"
	dup := []byte("reference_id,title\n" + id + ",first\n" + id + ",second\n,third\n")
	if e := ieErrors(t, imp(dup, nil)); e["imported"] != float64(2) || e["failed"] != float64(1) {
		t.Errorf("duplicate id: %v", e)
	}
}

func TestExportFormatsAndRoundTrip(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_bi.yaml", biSchema))
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	for i, title := range []string{"lamp", "chair, big", "désk \"pro\"", "multi\nline"} {
		create(t, s, admin, "gadget", map[string]any{"title": title, "size": i * 7, "colour": "#ff0000"}, nil)
	}
	cols := []string{"reference_id", "title", "size", "colour"}
	before := ieRows(t, s, admin, "gadget", cols...)
	exp := func(a map[string]any) ([]byte, string) {
		a["table_name"] = "gadget"
		return biDownload(t, action(t, s, "/action/world/export_data", a, admin))
	}
	if r := action(t, s, "/action/world/export_data", map[string]any{"table_name": "gadget", "format": "csv"}, bob); r.Status != http.StatusForbidden {
		t.Errorf("export by a user: %d", r.Status)
	}
	for _, bad := range []map[string]any{{"format": "csv"}, {"format": "csv", "table_name": "gadget", "columns": "title,nosuch"}, {"format": "doc", "table_name": "gadget"}} {
		if r := action(t, s, "/action/world/export_data", bad, admin); r.Status != http.StatusBadRequest {
			t.Errorf("export %v: %d %s", bad, r.Status, r.Body)
		}
	}
	content, name := exp(map[string]any{"format": "csv", "columns": "size,title"})
	lines := strings.Split(strings.TrimSpace(string(content)), "\n")
	if name != "daptin_export_gadget.csv" || lines[0] != "size,title" || lines[1] != "0,lamp" {
		t.Errorf("csv with columns %s: %q", name, lines)
	}
	content, _ = exp(map[string]any{"format": "html"})
	if n := strings.Count(string(content), "<tr>"); n != 5 || !strings.Contains(string(content), "désk &#34;pro&#34;") {
		t.Errorf("html: %d rows\n%s", n, content)
	}
	content, name = exp(map[string]any{"format": "pdf"})
	pages := strings.Count(string(content), "/Type /Page") - strings.Count(string(content), "/Type /Pages")
	if name != "daptin_export_gadget.pdf" || !bytes.HasPrefix(content, []byte("%PDF")) || pages < 1 {
		t.Errorf("pdf %s: %d pages, %.20q", name, pages, content)
	}
	world := worldID(t, s, admin, "gadget")
	for _, c := range []struct{ format, mime string }{{"json", "application/json"}, {"csv", "text/csv"},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}} {
		content, name := exp(map[string]any{"format": c.format})
		for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/gadget", nil, admin)) {
			if r := s.Do(t, http.MethodDelete, "/api/gadget/"+row["id"].(string), nil, admin); r.Status >= 300 {
				t.Fatalf("delete: %d", r.Status)
			}
		}
		r := action(t, s, "/action/world/import_data", map[string]any{"world_id": world, "dump_file": ieFile(name, c.mime, content)}, admin)
		if e := ieErrors(t, r); e["imported"] != float64(4) {
			t.Fatalf("%s import: %v", c.format, e)
		}
		if after := ieRows(t, s, admin, "gadget", cols...); strings.Join(after, "\n") != strings.Join(before, "\n") {
			t.Errorf("%s round trip:\n%s\nwant\n%s", c.format, strings.Join(after, "\n"), strings.Join(before, "\n"))
		}
	}
	// xlsx of every table: one sheet per table.
	content, name = biDownload(t, action(t, s, "/action/world/export_data", map[string]any{"format": "xlsx"}, admin))
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil || name != "daptin_export_complete.xlsx" || len(f.GetSheetList()) < 10 {
		t.Fatalf("complete xlsx %s: %v", name, err)
	}
	content, name = biDownload(t, action(t, s, "/action/world/export_csv_data", map[string]any{"table_name": "gadget"}, admin))
	if name != "daptin_dump_gadget.csv" || strings.Count(string(content), "\n") < 5 || strings.Contains(string(content), ",id,") {
		t.Errorf("export_csv_data %s: %s", name, content)
	}
}

func TestImportRespectsTablePermission(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	up := func(tok, content string) testserver.Response {
		return action(t, s, "/action/world/upload_csv_to_system_schema", map[string]any{"entity_name": "people",
			"data_csv_file": ieFile("people.csv", "text/csv", []byte(content))}, tok)
	}
	if r := action(t, s, "/action/world/upload_csv_to_system_schema", map[string]any{"entity_name": "people", "create_if_not_exists": true,
		"data_csv_file": ieFile("people.csv", "text/csv", []byte(peopleCSV))}, admin); r.Status != http.StatusOK {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	wid := worldID(t, s, admin, "people")
	mustPatch(t, s, admin, "world", wid, map[string]any{"permission": allowAll})
	if e := ieErrors(t, up(bob, "name,age\nBea,30\n")); e["imported"] != float64(1) {
		t.Fatalf("import where bob may create: %v", e)
	}
	const guestPeek, ownerPeek, groupPeek = 1, 128, 16384
	mustPatch(t, s, admin, "world", wid, map[string]any{"permission": guestPeek | ownerPeek | groupPeek})
	if r := up(bob, "name,age\nBo,31\nBu,32\n"); r.Status != http.StatusForbidden {
		t.Errorf("import where bob may not create: %d %s", r.Status, r.Body)
	}
	if rows := ieRows(t, s, admin, "people", "name"); len(rows) != 4 {
		t.Errorf("rows after the refused import: %q", rows)
	}
}
