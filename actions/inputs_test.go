package actions

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource"
)

func TestBatchSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want int
		ok   bool
	}{
		{nil, defaultImportBatch, true}, {"", defaultImportBatch, true}, {float64(1), 1, true},
		{float64(maxImportBatch), maxImportBatch, true}, {float64(0), 0, false}, {float64(maxImportBatch + 1), 0, false},
		{2.5, 0, false}, {"100", 0, false}, {true, 0, false},
	} {
		n, err := batchSize(c.v)
		if c.ok && (err != nil || n != c.want) {
			t.Errorf("batchSize(%#v) = %d, %v; want %d", c.v, n, err, c.want)
		}
		if !c.ok && statusOf(err) != http.StatusBadRequest {
			t.Errorf("batchSize(%#v) = %d, %v; want 400", c.v, n, err)
		}
	}
}

func TestImportAnswer(t *testing.T) {
	t.Parallel()
	attrs := func(r Response) map[string]any { return r.Attributes.(map[string]any) }
	out := importAnswer(nil)
	if len(out) != 2 || attrs(out[0])["message"] != "Imported 0 rows, 0 failed" || attrs(out[0])["type"] != "success" {
		t.Fatalf("empty answer: %+v", out)
	}
	many := make([]RowError, maxReportedErrors+5)
	for i := range many {
		many[i] = RowError{Row: i + 2, Reason: "bad"}
	}
	out = importAnswer([]ImportResult{
		{Table: "gadget", Imported: 3},
		{Table: "gadget", Imported: 1, Failed: 1, Errors: []RowError{{Row: 4, Column: "size", Reason: "not a number"}}},
		{Table: "part", Failed: len(many), Errors: many},
	})
	n := attrs(out[0])
	if n["type"] != "warning" || n["title"] != "Partly imported" ||
		n["message"] != "Imported 4 rows into gadget, part, "+itoa(1+len(many))+" failed" {
		t.Errorf("notify: %+v", n)
	}
	e := out[1]
	if e.ResponseType != "import.errors" || attrs(e)["imported"] != 4 || attrs(e)["failed"] != 1+len(many) {
		t.Errorf("errors response: %+v", e.ResponseType)
	}
	errs := attrs(e)["errors"].([]map[string]any)
	if len(errs) != maxReportedErrors {
		t.Errorf("reported %d errors, want the cap %d", len(errs), maxReportedErrors)
	}
	if first := errs[0]; first["table"] != "gadget" || first["row"] != 4 || first["column"] != "size" || first["reason"] != "not a number" {
		t.Errorf("first error: %+v", first)
	}
}

func itoa(n int) string { return strings.TrimSpace(jsFormatNumber(float64(n))) }

func TestColumnList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want []string
		ok   bool
	}{
		{nil, nil, true},
		{[]any{"a", " b ", "a", ""}, []string{"a", "b"}, true},
		{`["x","y"]`, []string{"x", "y"}, true},
		{" a, b ,,c ", []string{"a", "b", "c"}, true},
		{"", nil, true},
		{`[1]`, nil, false},
		{`[`, nil, false},
		{[]any{"a", 2.0}, nil, false},
		{3.0, nil, false},
	} {
		got, err := columnList(c.v)
		if !c.ok {
			if statusOf(err) != http.StatusBadRequest {
				t.Errorf("columnList(%#v) = %v, %v; want 400", c.v, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("columnList(%#v) = %#v, %v; want %#v", c.v, got, err, c.want)
		}
	}
}

func TestExportSpecOf(t *testing.T) {
	t.Parallel()
	_, svc, _ := dataExecutor(t)
	spec := func(attrs map[string]any) (ExportSpec, string, error) {
		return exportSpecOf(Request{Res: svc, Attributes: attrs})
	}
	s, label, err := spec(map[string]any{})
	if err != nil || s.Format != fmtJSON || label != "complete" || len(s.Tables) < 2 || s.Columns != nil {
		t.Errorf("default: %+v %q %v", s, label, err)
	}
	s, label, err = spec(map[string]any{"format": " CSV ", "table_name": "gadget", "columns": "title,size",
		"include_headers": false, "page_size": float64(10)})
	if err != nil || s.Format != fmtCSV || label != "gadget" || !s.NoHeaders || s.PageSize != 10 ||
		!reflect.DeepEqual(s.Tables, []string{"gadget"}) || !reflect.DeepEqual(s.Columns, []string{"title", "size"}) {
		t.Errorf("csv one table: %+v %q %v", s, label, err)
	}
	if s, _, _ := spec(map[string]any{"include_headers": "true", "table_name": "gadget"}); s.NoHeaders {
		t.Error("include_headers true gave NoHeaders")
	}
	for _, c := range []struct {
		attrs  map[string]any
		status int
		msg    string
	}{
		{map[string]any{"format": "docx"}, 400, "format must be"},
		{map[string]any{"format": "csv"}, 400, "send table_name"},
		{map[string]any{"format": "pdf"}, 400, "send table_name"},
		{map[string]any{"columns": "title"}, 400, "columns needs table_name"},
		{map[string]any{"table_name": "gadget", "columns": "nosuch"}, 400, `no exportable column "nosuch"`},
		{map[string]any{"table_name": "gadget", "columns": "id"}, 400, "no exportable column"},
		{map[string]any{"table_name": "gadget", "page_size": float64(0)}, 400, "page_size"},
		{map[string]any{"table_name": "gadget", "page_size": float64(resource.MaxPageSize + 1)}, 400, "page_size"},
		{map[string]any{"table_name": "nosuch"}, 404, "no such table"},
	} {
		_, _, err := spec(c.attrs)
		if statusOf(err) != c.status || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: %v, want %d %q", c.attrs, err, c.status, c.msg)
		}
	}
}

func TestDefaultExportColumns(t *testing.T) {
	t.Parallel()
	_, svc, _ := dataExecutor(t)
	tb, err := dataTable(svc.Schema(), " gadget ")
	if err != nil {
		t.Fatal(err)
	}
	cols := defaultExportColumns(tb)
	if cols[0] != "reference_id" {
		t.Errorf("first column %q", cols[0])
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			t.Errorf("column %q twice", c)
		}
		seen[c] = true
	}
	for _, want := range []string{"title", "size", "color", "born"} {
		if !seen[want] {
			t.Errorf("missing %q in %v", want, cols)
		}
	}
	for _, never := range []string{"id", "version"} {
		if seen[never] {
			t.Errorf("internal column %q exported: %v", never, cols)
		}
	}
	if _, err := dataTable(svc.Schema(), " "); statusOf(err) != http.StatusBadRequest {
		t.Errorf("empty table name: %v", err)
	}
}

func TestSchemaExtAndSafeBaseName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, mime, want string }{
		{"a.JSON", "", ".json"}, {"a.yml", "text/plain", ".yml"}, {"a.toml", "", ".toml"}, {"a.txt", "application/json", ""},
		{"noext", "", ".json"}, {"noext", "application/x-yaml", ".yaml"}, {"noext", "application/TOML", ".toml"},
		{"noext", "image/png", ""}, {"noext", "text/json; charset=utf-8", ".json"},
	} {
		if got := schemaExt(c.name, c.mime); got != c.want {
			t.Errorf("schemaExt(%q, %q) = %q, want %q", c.name, c.mime, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"schema.json", "schema"}, {"../../etc/passwd", "passwd"}, {`c:\dir\my file.yaml`, "my_file"},
		{"", "file"}, {".json", "file"}, {"ünï-cø_de.toml", "_n_-c__de"}, {strings.Repeat("a", 300) + ".json", strings.Repeat("a", 100)},
	} {
		if got := safeBaseName(c.in); got != c.want {
			t.Errorf("safeBaseName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAddressList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want []string
	}{
		{"a@x, b@y ,,", []string{"a@x", "b@y"}}, {[]any{" a@x ", "", "c@z"}, []string{"a@x", "c@z"}},
		{[]string{"d@w", " "}, []string{"d@w"}}, {nil, nil}, {3.0, nil}, {"", nil},
	} {
		if got := addressList(c.v); !reflect.DeepEqual(got, c.want) {
			t.Errorf("addressList(%#v) = %#v, want %#v", c.v, got, c.want)
		}
	}
}

func TestStorePathAndFail(t *testing.T) {
	t.Parallel()
	if p, err := storePath("site", "a/b.txt"); err != nil || p != "site/a/b.txt" {
		t.Errorf("storePath = %q, %v", p, err)
	}
	if _, err := storePath("site", "../../x"); statusOf(err) != http.StatusBadRequest {
		t.Errorf("escaping path: %v", err)
	}
}

func TestOutcomeRefAndQuery(t *testing.T) {
	t.Parallel()
	if ref, err := outcomeRef("PATCH", "gadget", map[string]any{"reference_id": "r-1"}); err != nil || ref != "r-1" {
		t.Errorf("outcomeRef = %q, %v", ref, err)
	}
	if _, err := outcomeRef("DELETE", "gadget", map[string]any{}); statusOf(err) != http.StatusBadRequest ||
		!strings.Contains(err.Error(), "DELETE outcome on gadget") {
		t.Errorf("missing reference: %v", err)
	}
	q, err := outcomeQuery(map[string]any{
		"query":        `[{"column":"title","operator":"is","value":"x"}]`,
		"filter":       "word",
		"page[size]":   "5000000",
		"page[number]": 2.0,
		"sort":         []any{"-title", "size"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Conditions) != 1 || q.Conditions[0].Column != "title" || q.Keyword != "word" ||
		q.PageSize != resource.MaxPageSize || q.PageNumber != 2 {
		t.Errorf("query: %+v", q)
	}
	if len(q.Sort) != 2 || q.Sort[0].Column != "title" || !q.Sort[0].Desc || q.Sort[1].Column != "size" || q.Sort[1].Desc {
		t.Errorf("sort: %+v", q.Sort)
	}
	if q, _ := outcomeQuery(map[string]any{"sort": "size,-title"}); len(q.Sort) != 2 || !q.Sort[1].Desc {
		t.Errorf("sort string: %+v", q.Sort)
	}
	for _, bad := range []map[string]any{{"page[size]": "-1"}, {"page[number]": "two"}} {
		if _, err := outcomeQuery(bad); statusOf(err) != http.StatusBadRequest {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := outcomeQuery(map[string]any{"query": "{not json"}); err == nil {
		t.Error("bad query text accepted")
	}
}

func TestTemplateTextAndJSONObject(t *testing.T) {
	t.Parallel()
	enc := base64.StdEncoding.EncodeToString([]byte("<b>hi</b>"))
	for _, c := range []struct{ in, want string }{
		{"", ""}, {"<p>x</p>", "<p>x</p>"}, {"hello world", "hello world"}, {enc, "<b>hi</b>"},
		{"plain", "plain"}, {base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}), base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe})},
	} {
		if got := templateText(c.in); got != c.want {
			t.Errorf("templateText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if m := jsonObject(`{"a":1}`); m["a"] != 1.0 {
		t.Errorf("jsonObject text = %v", m)
	}
	if m := jsonObject(map[string]any{"b": 2}); m["b"] != 2 {
		t.Errorf("jsonObject map = %v", m)
	}
	for _, v := range []any{`[1]`, "nope", 3.0, nil} {
		if m := jsonObject(v); m != nil {
			t.Errorf("jsonObject(%#v) = %v", v, m)
		}
	}
}

func TestLooksLikeJSON(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		`{"a":1}`: true, "  \n[1]": true, "\ufeff{}": true, "a,b\n1,2": false, "": false, "   ": false,
	} {
		if got := looksLikeJSON([]byte(in)); got != want {
			t.Errorf("looksLikeJSON(%q) = %v", in, got)
		}
	}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnzipEntries(t *testing.T) {
	t.Parallel()
	files, err := unzipEntries(zipOf(t, map[string]string{"index.html": "<h1>", "css/site.css": "body{}", "img/": ""}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.name] = string(f.data)
	}
	if !reflect.DeepEqual(got, map[string]string{"index.html": "<h1>", "css/site.css": "body{}"}) {
		t.Errorf("entries: %v", got)
	}
	if _, err := unzipEntries([]byte("not a zip")); statusOf(err) != http.StatusBadRequest {
		t.Errorf("not a zip: %v", err)
	}
	if _, err := unzipEntries(zipOf(t, map[string]string{"../evil.sh": "x"})); statusOf(err) != http.StatusBadRequest ||
		!strings.Contains(err.Error(), "outside the folder") {
		t.Errorf("escaping entry: %v", err)
	}
}
