package actions

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// MaxExportBytes bounds an export file: the contract returns the file
// base64-encoded inside the JSON answer, so it must fit one response.
// Bigger exports are refused with 413.
const MaxExportBytes = 256 << 20

// exportMIME are the content types of export_data downloads.
var exportMIME = map[string]string{
	fmtJSON: "application/json",
	fmtCSV:  "text/csv",
	fmtXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	fmtPDF:  "application/pdf",
	fmtHTML: "text/html",
}

// ExportSpec describes an export.
type ExportSpec struct {
	Tables  []string // tables in file order
	Format  string   // json, csv, xlsx, pdf or html
	Columns []string // columns in file order; empty = reference_id, then schema order
	// NoHeaders leaves out the header row of tabular formats.
	NoHeaders bool
	PageSize  int // rows read per query, 1..1000 (default 1000)
}

// Export writes the rows the caller in ctx may read, table by table, to w,
// reading one page at a time (keyset paging on the internal id, so the
// cost per page does not grow with the table). It returns the row count.
func (e *Executor) Export(ctx context.Context, res resource.Service, spec ExportSpec, w io.Writer) (int, error) {
	return e.export(ctx, res, spec, w, false)
}

// export is Export; pagesOnly reads tabular formats through ListRows pages
// instead of StreamRows (tests compare the two paths).
func (e *Executor) export(ctx context.Context, res resource.Service, spec ExportSpec, w io.Writer, pagesOnly bool) (int, error) {
	sc := res.Schema()
	ew, vw := newExportWriter(spec.Format, w, !spec.NoHeaders, len(spec.Columns) > 0)
	size := spec.PageSize
	if size < 1 || size > resource.MaxPageSize {
		size = resource.MaxPageSize
	}
	start, total := time.Now(), 0
	for _, name := range spec.Tables {
		t, ok := sc.Table(name)
		if !ok {
			return total, Fail(http.StatusNotFound, "no such table %q", name)
		}
		cols := spec.Columns
		if len(cols) == 0 {
			cols = defaultExportColumns(t)
		}
		if err := ew.begin(name, cols); err != nil {
			return total, err
		}
		x := &tableExport{e: e, res: res, ew: ew, table: t, cols: cols, size: size, total: &total, pagesOnly: pagesOnly, vw: vw}
		err := x.run(ctx, spec.Format)
		if errors.Is(err, resource.ErrForbidden) && len(spec.Tables) > 1 {
			continue // a table the caller cannot read is left empty
		}
		if err != nil {
			return total, err
		}
	}
	if err := ew.finish(); err != nil {
		return total, err
	}
	secs := time.Since(start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(total) / secs
	}
	e.o.Log.InfoContext(ctx, "export finished", "format", spec.Format, "tables", len(spec.Tables), "rows", total,
		"seconds", secs, "rows_per_second", int64(rate))
	return total, nil
}

// defaultExportColumns is reference_id, then every API column of the
// table in schema order (no internal id or version).
func defaultExportColumns(t *schema.Table) []string {
	cols := []string{schema.ColReferenceID}
	for _, c := range t.Columns {
		switch c.ColumnName {
		case schema.ColID, schema.ColVersion, schema.ColReferenceID:
			continue
		}
		if c.ExcludeFromApi {
			continue
		}
		if ct, ok := schema.LookupType(c.ColumnType); ok && ct.Secret != schema.SecretNone && ct.Secret != schema.SecretEncrypted {
			continue
		}
		cols = append(cols, c.ColumnName)
	}
	return cols
}

// exportData answers export_data: one table, or every table, as a
// client.file.download in the chosen format. Administrators only.
func (e *Executor) exportData(ctx context.Context, req Request) ([]Response, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	spec, label, err := exportSpecOf(req)
	if err != nil {
		return nil, err
	}
	ext := spec.Format
	content, err := e.exportToFile(ctx, req.Res, spec)
	if err != nil {
		return nil, err
	}
	return []Response{fileDownload(content, "daptin_export_"+label+"."+ext, exportMIME[spec.Format], "Downloading data as "+spec.Format)}, nil
}

// exportCSVData answers export_csv_data: one table as CSV with a header.
func (e *Executor) exportCSVData(ctx context.Context, req Request) ([]Response, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	t, err := dataTable(req.Res.Schema(), str(req.Attributes["table_name"]))
	if err != nil {
		return nil, err
	}
	content, err := e.exportToFile(ctx, req.Res, ExportSpec{Tables: []string{t.TableName}, Format: fmtCSV})
	if err != nil {
		return nil, err
	}
	return []Response{fileDownload(content, "daptin_dump_"+t.TableName+".csv", "application/csv", "Downloading csv "+t.TableName)}, nil
}

// exportSpecOf reads the export_data inputs; label names the file.
func exportSpecOf(req Request) (ExportSpec, string, error) {
	a := req.Attributes
	spec := ExportSpec{Format: strings.ToLower(strings.TrimSpace(str(a["format"])))}
	if spec.Format == "" {
		spec.Format = fmtJSON
	}
	if _, ok := exportMIME[spec.Format]; !ok {
		return spec, "", Fail(http.StatusBadRequest, "format must be json, csv, xlsx, pdf or html")
	}
	if v, ok := a["include_headers"]; ok && v != nil && v != "" {
		spec.NoHeaders = !attrFlag(v)
	}
	if v := a["page_size"]; v != nil && v != "" {
		n, ok := attrWhole(v)
		if !ok || n < 1 || n > resource.MaxPageSize {
			return spec, "", Fail(http.StatusBadRequest, "page_size must be a whole number from 1 to %d", resource.MaxPageSize)
		}
		spec.PageSize = int(n)
	}
	sc := req.Res.Schema()
	name := strings.TrimSpace(str(a["table_name"]))
	cols, err := columnList(a["columns"])
	if err != nil {
		return spec, "", err
	}
	if name == "" {
		switch {
		case spec.Format == fmtCSV || spec.Format == fmtPDF || spec.Format == fmtHTML:
			return spec, "", Fail(http.StatusBadRequest, "a %s export holds one table: send table_name (json and xlsx can export every table)", spec.Format)
		case len(cols) > 0:
			return spec, "", Fail(http.StatusBadRequest, "columns needs table_name")
		}
		for _, t := range sc.Tables {
			spec.Tables = append(spec.Tables, t.TableName)
		}
		return spec, "complete", nil
	}
	t, err := dataTable(sc, name)
	if err != nil {
		return spec, "", err
	}
	allowed := map[string]bool{"__type": true}
	for _, c := range defaultExportColumns(t) {
		allowed[c] = true
	}
	for _, c := range cols {
		if !allowed[c] {
			return spec, "", Fail(http.StatusBadRequest, "table %s has no exportable column %q", t.TableName, c)
		}
	}
	spec.Tables, spec.Columns = []string{t.TableName}, cols
	return spec, t.TableName, nil
}

// columnList reads the columns input: a list, a JSON-encoded list, or a
// comma-separated string.
func columnList(v any) ([]string, error) {
	var raw []any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		raw = x
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "[") {
			if err := json.Unmarshal([]byte(s), &raw); err != nil {
				return nil, Fail(http.StatusBadRequest, "columns must be a list of column names")
			}
			break
		}
		for _, part := range strings.Split(s, ",") {
			raw = append(raw, part)
		}
	default:
		return nil, Fail(http.StatusBadRequest, "columns must be a list of column names")
	}
	var out []string
	seen := map[string]bool{}
	for _, item := range raw {
		s, ok := item.(string)
		if !ok {
			return nil, Fail(http.StatusBadRequest, "columns must be a list of column names")
		}
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// errExportTooLarge stops an export that outgrows MaxExportBytes.
var errExportTooLarge = Fail(http.StatusRequestEntityTooLarge, "the export is larger than %d MiB; export fewer columns or one table at a time", MaxExportBytes>>20)

// limitedFile refuses writes beyond MaxExportBytes.
type limitedFile struct {
	f *os.File
	n int64
}

func (l *limitedFile) Write(p []byte) (int, error) {
	if l.n+int64(len(p)) > MaxExportBytes {
		return 0, errExportTooLarge
	}
	n, err := l.f.Write(p)
	l.n += int64(n)
	return n, err
}

// exportToFile runs an export into a temporary file (so memory holds one
// page of rows, not the table) and returns the finished file's bytes.
func (e *Executor) exportToFile(ctx context.Context, res resource.Service, spec ExportSpec) ([]byte, error) {
	f, err := os.CreateTemp("", "apiary-export-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}()
	if _, err := e.Export(ctx, res, spec, &limitedFile{f: f}); err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}
