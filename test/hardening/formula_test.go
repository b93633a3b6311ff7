package hardening

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

const noteSchema = `
Tables:
  - TableName: note
    Columns:
      - {Name: body, ColumnType: label, IsNullable: true}
`

// exportContent runs an export action and returns the decoded file.
func exportContent(t *testing.T, s *testserver.Server, admin, action string, attrs map[string]any) string {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/action/world/"+action, map[string]any{"attributes": attrs}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", action, r.Status, r.Body)
	}
	a := r.JSON(t).([]any)[0].(map[string]any)["Attributes"].(map[string]any)
	b, err := base64.StdEncoding.DecodeString(a["content"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noteBodies lists every note body, sorted.
func noteBodies(t *testing.T, s *testserver.Server, admin string) []string {
	t.Helper()
	var out []string
	for _, d := range listData(t, s.Do(t, http.MethodGet, "/api/note?page[size]=100", nil, admin)) {
		out = append(out, d["attributes"].(map[string]any)["body"].(string))
	}
	sort.Strings(out)
	return out
}

// CSV and HTML exports never carry a live spreadsheet formula, and the
// CSV import reads the guarded cells back to the values stored.
func exportsNeutraliseFormulas(t *testing.T, s *testserver.Server, admin string) {
	values := []string{`=HYPERLINK("http://evil.example","click")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
		"'=already quoted", "-5", "plain text", "'apostrophe"}
	for _, v := range values {
		r := s.Do(t, http.MethodPost, "/api/note", map[string]any{"data": map[string]any{"type": "note", "attributes": map[string]any{"body": v}}}, admin)
		if r.Status >= 300 {
			t.Fatalf("create %q: %d %s", v, r.Status, r.Body)
		}
	}
	before := noteBodies(t, s, admin)

	csvs := map[string]string{
		"export_data csv": exportContent(t, s, admin, "export_data", map[string]any{"table_name": "note", "format": "csv"}),
		"export_csv_data": exportContent(t, s, admin, "export_csv_data", map[string]any{"table_name": "note"}),
	}
	page := exportContent(t, s, admin, "export_data", map[string]any{"table_name": "note", "format": "html"})
	for name, content := range map[string]string{"export_data csv": csvs["export_data csv"], "export_csv_data": csvs["export_csv_data"], "html": page} {
		for _, line := range strings.FieldsFunc(content, func(r rune) bool { return r == '\n' || r == ',' || r == '>' }) {
			cell := strings.TrimPrefix(line, `"`)
			if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
				t.Errorf("%s has a live formula cell %q", name, line)
			}
		}
		if !strings.Contains(content, "'=HYPERLINK") && !strings.Contains(content, "&#39;=HYPERLINK") {
			t.Errorf("%s does not hold the guarded formula:\n%s", name, content)
		}
	}

	// Round trip: the CSV export imports back to identical values.
	wid := ""
	q := "?query=" + url.QueryEscape(`[{"column":"table_name","operator":"is","value":"note"}]`)
	for _, d := range listData(t, s.Do(t, http.MethodGet, "/api/world"+q, nil, admin)) {
		wid = d["id"].(string)
	}
	file := []any{map[string]any{"name": "note.csv", "type": "text/csv",
		"file": "data:text/csv;base64," + base64.StdEncoding.EncodeToString([]byte(csvs["export_data csv"]))}}
	r := s.Do(t, http.MethodPost, "/action/world/import_data", map[string]any{"attributes": map[string]any{
		"world_id": wid, "dump_file": file, "truncate_before_insert": true}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	after := noteBodies(t, s, admin)
	if strings.Join(after, "\x00") != strings.Join(before, "\x00") {
		t.Errorf("round trip changed values:\n before %q\n after  %q", before, after)
	}
}
