package actions

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestColumnNames(t *testing.T) {
	t.Parallel()
	got := ColumnNames([]string{"First Name", "  e-mail  ", "ID", "2024 total", "", "name", "Name", "Ünïcode", "__a__b__",
		"reference_id", "user_account_id", strings.Repeat("x", 80), "café au lait", "\ufeffbom"})
	want := []string{"first_name", "e_mail", "id_1", "c_2024_total", "column_5", "name", "name_2", "n_code", "a_b",
		"reference_id_1", "user_account_id_1", strings.Repeat("x", 60), "caf_au_lait", "bom"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("header %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestEntityName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"people": "people", "Product Item": "product_item", "ProductItem": "product_item",
		"9lives": "", "a/b": "", "": "", "_x": "", "drop table;": ""} {
		got, ok := EntityName(in)
		if got != want || ok != (want != "") {
			t.Errorf("EntityName(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestInferColumns(t *testing.T) {
	t.Parallel()
	headers := []string{"name", "age", "score", "joined", "seen", "ok", "bits", "mail", "site", "zip", "notes", "empty", "mixed"}
	rows := [][]string{
		{"Ann", "34", "1.5", "2024-01-05", "2024-01-05 10:00:00", "yes", "1", "ann@example.com", "https://a.example", "01234", "x", "", "2024-01-05"},
		{"Ben", "-28", "2", "2023-11-20", "2024-01-05T10:00:00Z", "No", "0", "ben@example.com", "http://b.example/x", "12345", strings.Repeat("long ", 120), "", "2024-01-06 11:00:00"},
		{"", "", "", "", "", "true", "", "", "", "", "", "", ""},
	}
	want := map[string][2]string{
		"name": {"label", "varchar(500)"}, "age": {"measurement", "bigint"}, "score": {"float", "double"},
		"joined": {"date", "date"}, "seen": {"datetime", "datetime"}, "ok": {"truefalse", "boolean"},
		"bits": {"measurement", "bigint"}, "mail": {"email", "varchar(255)"}, "site": {"url", "varchar(1000)"},
		"zip": {"label", "varchar(500)"}, "notes": {"content", "text"}, "empty": {"label", "varchar(500)"},
		"mixed": {"datetime", "datetime"},
	}
	for _, c := range InferColumns(headers, rows) {
		w := want[c.ColumnName]
		if c.ColumnType != w[0] || c.DataType != w[1] {
			t.Errorf("%s: %s/%s, want %s/%s", c.ColumnName, c.ColumnType, c.DataType, w[0], w[1])
		}
		if !c.IsNullable || c.IsUnique {
			t.Errorf("%s: nullable %v unique %v", c.ColumnName, c.IsNullable, c.IsUnique)
		}
		if c.IsIndexed != (c.ColumnName == "name") {
			t.Errorf("%s: indexed %v", c.ColumnName, c.IsIndexed)
		}
	}
}

func readAll(t *testing.T, src tableSource) ([]record, error) {
	t.Helper()
	var out []record
	for {
		r, err := src.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

func TestCSVSource(t *testing.T) {
	t.Parallel()
	data := "\ufeffname,age\nAnn,34\nragged\n\"multi\nline\",5\nbad\xff,1\nBen,28,extra\n\"open,1\n"
	src, err := newCSVSource(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if h := src.header(); len(h) != 2 || h[0] != "name" {
		t.Fatalf("header %q", h)
	}
	recs, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 5 {
		t.Fatalf("records %+v", recs)
	}
	if recs[0].bad != nil || recs[0].row != 2 || recs[0].cells[0] != "Ann" {
		t.Errorf("row 2: %+v", recs[0])
	}
	if recs[1].bad == nil || recs[1].row != 3 {
		t.Errorf("ragged row: %+v", recs[1])
	}
	if recs[2].bad != nil || recs[2].cells[0] != "multi\nline" {
		t.Errorf("quoted row: %+v", recs[2])
	}
	if recs[3].bad == nil || recs[3].bad.Column != "name" || !strings.Contains(recs[3].bad.Reason, "UTF-8") {
		t.Errorf("bad UTF-8: %+v", recs[3])
	}
	if recs[4].bad == nil {
		t.Errorf("extra cell: %+v", recs[4])
	}
	if _, err := newCSVSource(strings.NewReader("")); statusOf(err) != 400 {
		t.Errorf("empty file: %v", err)
	}
}

func TestXLSXSource(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	rows := [][]any{{"Name", "Age", ""}, {"Ann", "34"}, {}, {"Ben", "28", ""}, {"Cleo", "41", "extra"}}
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
	src, err := newXLSXSource(&buf, "")
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	if h := src.header(); len(h) != 2 || h[1] != "Age" {
		t.Fatalf("header %q", h)
	}
	recs, err := readAll(t, src)
	if err != nil || len(recs) != 3 {
		t.Fatalf("records %+v %v", recs, err)
	}
	if recs[0].row != 2 || recs[0].cells[0] != "Ann" || recs[1].row != 4 || recs[1].bad != nil || recs[2].bad == nil {
		t.Errorf("records %+v", recs)
	}
	if _, err := newXLSXSource(strings.NewReader("not a zip"), ""); statusOf(err) != 400 {
		t.Errorf("not xlsx: %v", err)
	}
}

func TestImportFormat(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, mime, head, want string }{
		{"a.csv", "", "", fmtCSV}, {"a.XLSX", "", "", fmtXLSX}, {"a.json", "", "", fmtJSON},
		{"dump", "application/json", "", fmtJSON}, {"dump", "", "PK\x03\x04", fmtXLSX}, {"dump", "", " {\"a\":[]}", fmtJSON},
		{"dump", "", "a,b\n1,2", fmtCSV},
	} {
		if got := importFormat(c.name, c.mime, []byte(c.head)); got != c.want {
			t.Errorf("importFormat(%q, %q) = %s, want %s", c.name, c.mime, got, c.want)
		}
	}
}

func TestCellText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want string
	}{{nil, ""}, {true, "true"}, {int64(-3), "-3"}, {1.25, "1.25"}, {1e21, "1000000000000000000000"},
		{[]any{"a"}, `["a"]`}, {"x,y", "x,y"}} {
		if got := cellText(c.v, false); got != c.want {
			t.Errorf("cellText(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
