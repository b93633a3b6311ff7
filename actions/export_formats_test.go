package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// seedGadgets writes n gadgets, the first with characters every format
// must escape.
func seedGadgets(t *testing.T, n int) (*Executor, resource.Service) {
	t.Helper()
	e, svc, ctx := dataExecutor(t)
	titles := []string{`<b>"a", b</b>`, "=SUM(A1)", "plain"}
	for i := range n {
		if _, err := svc.Create(ctx, "gadget", resource.Input{Attributes: map[string]any{"title": titles[i%len(titles)], "size": i, "born": "2024-01-02"}}); err != nil {
			t.Fatal(err)
		}
	}
	return e, svc
}

func TestExportFormats(t *testing.T) {
	t.Parallel()
	e, svc := seedGadgets(t, 3)
	ctx := sysCtx()
	export := func(spec ExportSpec) (int, []byte) {
		t.Helper()
		var buf bytes.Buffer
		n, err := e.Export(ctx, svc, spec, &buf)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		return n, buf.Bytes()
	}
	n, out := export(ExportSpec{Tables: []string{"gadget"}, Format: fmtJSON, Columns: []string{"title", "size"}})
	var doc map[string][]map[string]any
	if err := json.Unmarshal(out, &doc); err != nil || n != 3 || len(doc["gadget"]) != 3 {
		t.Fatalf("json: %d %v %.200s", n, err, out)
	}
	first := doc["gadget"][0]
	if first["title"] != `<b>"a", b</b>` || first["size"] != 0.0 || len(first) != 2 {
		t.Errorf("json row: %v", first)
	}
	n, out = export(ExportSpec{Tables: []string{"gadget"}, Format: fmtHTML, Columns: []string{"title", "born"}})
	html := string(out)
	if n != 3 || strings.Contains(html, "<b>") || !strings.Contains(html, "&lt;b&gt;") || !strings.Contains(html, "2024-01-02") ||
		!strings.Contains(html, "<th>title</th>") {
		t.Errorf("html: %d %s", n, html)
	}
	_, out = export(ExportSpec{Tables: []string{"gadget"}, Format: fmtHTML, Columns: []string{"title"}, NoHeaders: true})
	if strings.Contains(string(out), "<th>") {
		t.Errorf("html without headers: %s", out)
	}
	_, out = export(ExportSpec{Tables: []string{"gadget"}, Format: fmtPDF, Columns: []string{"title"}})
	if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out, []byte("%%EOF")) {
		t.Errorf("pdf: %.20q", out)
	}
	n, out = export(ExportSpec{Tables: []string{"gadget", "part"}, Format: fmtXLSX})
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("gadget")
	if err != nil || len(rows) != 4 || rows[0][0] != "reference_id" {
		t.Fatalf("xlsx gadget sheet: %v %v", rows, err)
	}
	var titles []string
	for i, h := range rows[0] {
		if h == "title" {
			for _, r := range rows[1:] {
				titles = append(titles, r[i])
			}
		}
	}
	if strings.Join(titles, "|") != `<b>"a", b</b>|=SUM(A1)|plain` {
		t.Errorf("xlsx titles: %q", titles)
	}
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[1] != "part" || n != 3 {
		t.Errorf("xlsx sheets: %v, %d rows", sheets, n)
	}
	_, out = export(ExportSpec{Tables: []string{"gadget"}, Format: fmtCSV, Columns: []string{"title"}})
	if !strings.Contains(string(out), "'=SUM(A1)") || !strings.Contains(string(out), `"<b>""a"", b</b>"`) {
		t.Errorf("csv guards and quotes: %s", out)
	}
}

func TestExportDataAction(t *testing.T) {
	t.Parallel()
	e, svc := seedGadgets(t, 2)
	out, err := e.exportData(sysCtx(), Request{Res: svc, Attributes: map[string]any{"format": "html", "table_name": "gadget", "columns": "title"}})
	if err != nil || len(out) != 1 || out[0].ResponseType != "client.file.download" {
		t.Fatalf("export_data: %v %v", out, err)
	}
	a := out[0].Attributes.(map[string]any)
	if a["contentType"] != "text/html" || !strings.HasSuffix(str(a["name"]), ".html") || a["content"] == "" {
		t.Errorf("download: %v", a)
	}
	if _, err := e.exportData(guestCtx(), Request{Res: svc, Attributes: map[string]any{"table_name": "gadget"}}); statusOf(err) != http.StatusForbidden &&
		statusOf(err) != http.StatusUnauthorized {
		t.Errorf("guest export: %v", err)
	}
}

func TestImportTableCSV(t *testing.T) {
	t.Parallel()
	e, svc, ctx := dataExecutor(t)
	csv := "Title,Size,Colour\nfirst,1,\nsecond,x,red\nthird,3\n"
	res, err := e.ImportTable(ctx, svc, ImportSpec{Table: "gadget"}, strings.NewReader(csv))
	if err == nil || res.Imported != 0 {
		t.Errorf("a header naming no column was accepted: %+v %v", res, err)
	}
	csv = "Title,Size\nfirst,1\nsecond,x\nthird,3,extra\nfourth,\n"
	res, err = e.ImportTable(ctx, svc, ImportSpec{Table: "gadget", BatchSize: 2}, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || res.Failed != 2 || len(res.Errors) != 2 {
		t.Fatalf("result: %+v", res)
	}
	if res.Errors[0].Row != 3 || res.Errors[1].Row != 4 {
		t.Errorf("error rows: %+v", res.Errors)
	}
	if n := count(t, svc, ctx, "gadget"); n != 2 {
		t.Errorf("%d gadgets after import, want 2", n)
	}
	// Atomic: one bad row and nothing is written.
	_, err = e.ImportTable(ctx, svc, ImportSpec{Table: "gadget", Atomic: true}, strings.NewReader("title,size\nok,1\nbad,x\n"))
	if err == nil {
		t.Error("atomic import with a bad row succeeded")
	}
	if n := count(t, svc, ctx, "gadget"); n != 2 {
		t.Errorf("%d gadgets after a failed atomic import, want 2", n)
	}
	// Truncate replaces the rows.
	res, err = e.ImportTable(ctx, svc, ImportSpec{Table: "gadget", Truncate: true}, strings.NewReader("title\nonly\n"))
	if err != nil || res.Imported != 1 {
		t.Fatalf("truncate: %+v %v", res, err)
	}
	if n := count(t, svc, ctx, "gadget"); n != 1 {
		t.Errorf("%d gadgets after truncate, want 1", n)
	}
	if _, err := e.ImportTable(ctx, svc, ImportSpec{Table: "nosuch"}, strings.NewReader("title\nx\n")); err == nil {
		t.Error("import into an unknown table without CreateTable succeeded")
	}
}

func sysCtx() context.Context   { return auth.WithPrincipal(context.Background(), auth.System()) }
func guestCtx() context.Context { return auth.WithPrincipal(context.Background(), auth.Guest()) }
