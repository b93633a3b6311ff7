package actions

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// exportWriter writes one export file, table after table.
type exportWriter interface {
	begin(table string, cols []string) error
	// row writes one row: attrs is the API row, cells its values in
	// column order as text.
	row(attrs map[string]any, cells []string) error
	finish() error
}

// newExportWriter builds the writer of a format; headers says whether
// tabular formats start each table with a header row. vw is the same
// writer when it formats values itself (CSV), else nil.
func newExportWriter(format string, w io.Writer, headers, onlyColumns bool) (ew exportWriter, vw valueWriter) {
	switch format {
	case fmtCSV:
		c := &csvExport{w: bufio.NewWriterSize(w, 64<<10), headers: headers}
		return c, c
	}
	return newTextExportWriter(format, w, headers, onlyColumns), nil
}

// newTextExportWriter builds the writer of a format that takes cells as text.
func newTextExportWriter(format string, w io.Writer, headers, onlyColumns bool) exportWriter {
	switch format {
	case fmtXLSX:
		return &xlsxExport{out: w, f: excelize.NewFile(), headers: headers}
	case fmtPDF:
		return newPDFExport(w, headers)
	case fmtHTML:
		return &htmlExport{w: bufio.NewWriterSize(w, 64<<10), headers: headers}
	}
	return &jsonExport{w: bufio.NewWriterSize(w, 64<<10), subset: onlyColumns}
}

// jsonExport writes {"table": [row, ...], ...}: whole API rows (public
// ids only), or only the chosen columns.
type jsonExport struct {
	w      *bufio.Writer
	subset bool
	cols   []string
	tables int
	rows   int
	err    error
}

func (j *jsonExport) write(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonExport) begin(table string, cols []string) error {
	key, _ := json.Marshal(table)
	if j.tables == 0 {
		j.write("{")
	} else {
		j.write("],")
	}
	j.write("\n" + string(key) + ": [")
	j.tables++
	j.cols, j.rows = cols, 0
	return j.err
}

func (j *jsonExport) row(attrs map[string]any, _ []string) error {
	v := attrs
	if j.subset {
		v = make(map[string]any, len(j.cols))
		for _, c := range j.cols {
			v[c] = attrs[c]
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if j.rows > 0 {
		j.write(",")
	}
	j.write("\n" + string(b))
	j.rows++
	return j.err
}

func (j *jsonExport) finish() error {
	if j.tables == 0 {
		j.write("{")
	} else {
		j.write("]")
	}
	j.write("\n}\n")
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}

// xlsxExport writes one sheet per table through excelize's stream writer
// (rows go to a temporary file, not memory); every cell is text, so
// values come back exactly as exported.
type xlsxExport struct {
	out     io.Writer
	f       *excelize.File
	sw      *excelize.StreamWriter
	headers bool
	n       int // next row number
	sheets  int
}

func (x *xlsxExport) begin(table string, cols []string) error {
	if err := x.flushSheet(); err != nil {
		return err
	}
	name := table
	if len(name) > 31 {
		name = name[:31]
	}
	if x.sheets == 0 {
		if err := x.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	x.sheets++
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	x.sw, x.n = sw, 1
	if x.headers {
		return x.row(nil, cols)
	}
	return nil
}

func (x *xlsxExport) row(_ map[string]any, cells []string) error {
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	x.n++
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxExport) flushSheet() error {
	if x.sw == nil {
		return nil
	}
	err := x.sw.Flush()
	x.sw = nil
	return err
}

func (x *xlsxExport) finish() error {
	defer func() { _ = x.f.Close() }()
	if err := x.flushSheet(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.out)
	return err
}

// maxPDFRows bounds a PDF export: the PDF library keeps the document in
// memory until it is written.
const maxPDFRows = 100000

// pdfExport draws a landscape A4 table, the header repeated on each page.
// Text is Latin-1 (Helvetica); other characters print as "?".
type pdfExport struct {
	out     io.Writer
	pdf     *fpdf.Fpdf
	tr      func(string) string
	headers bool
	cols    []string
	width   float64
	rows    int
}

const (
	pdfRowH   = 5.0
	pdfMargin = 10.0
)

func newPDFExport(w io.Writer, headers bool) *pdfExport {
	p := fpdf.New("L", "mm", "A4", "")
	p.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	p.SetAutoPageBreak(false, pdfMargin)
	p.SetFont("Helvetica", "", 7)
	return &pdfExport{out: w, pdf: p, tr: p.UnicodeTranslatorFromDescriptor(""), headers: headers}
}

func (p *pdfExport) begin(table string, cols []string) error {
	p.cols = cols
	pw, _ := p.pdf.GetPageSize()
	p.width = (pw - 2*pdfMargin) / float64(max(len(cols), 1))
	p.pdf.AddPage()
	p.pdf.SetFont("Helvetica", "B", 10)
	p.pdf.CellFormat(0, 7, p.tr("Table: "+table), "", 1, "L", false, 0, "")
	p.header()
	return p.pdf.Error()
}

func (p *pdfExport) header() {
	if !p.headers {
		return
	}
	p.pdf.SetFont("Helvetica", "B", 7)
	p.line(p.cols, true)
	p.pdf.SetFont("Helvetica", "", 7)
}

func (p *pdfExport) line(cells []string, fill bool) {
	if fill {
		p.pdf.SetFillColor(230, 230, 230)
	}
	maxChars := int(p.width / 1.45)
	for _, c := range cells {
		if r := []rune(c); len(r) > maxChars {
			c = string(r[:max(maxChars-1, 1)]) + "…"
		}
		p.pdf.CellFormat(p.width, pdfRowH, p.tr(c), "1", 0, "L", fill, 0, "")
	}
	p.pdf.Ln(pdfRowH)
}

func (p *pdfExport) row(_ map[string]any, cells []string) error {
	p.rows++
	if p.rows > maxPDFRows {
		return Fail(http.StatusRequestEntityTooLarge, "a PDF export holds at most %d rows; use csv or xlsx", maxPDFRows)
	}
	_, ph := p.pdf.GetPageSize()
	if p.pdf.GetY()+pdfRowH > ph-pdfMargin {
		p.pdf.AddPage()
		p.header()
	}
	p.pdf.SetFont("Helvetica", "", 7)
	p.line(cells, false)
	return nil
}

func (p *pdfExport) finish() error {
	if p.pdf.PageCount() == 0 {
		p.pdf.AddPage()
	}
	return p.pdf.Output(p.out)
}

// htmlExport writes a plain standalone page with one escaped <table>.
type htmlExport struct {
	w       *bufio.Writer
	headers bool
	started bool
	open    bool
	err     error
}

func (h *htmlExport) write(parts ...string) {
	for _, s := range parts {
		if h.err == nil {
			_, h.err = h.w.WriteString(s)
		}
	}
}

func (h *htmlExport) begin(table string, cols []string) error {
	t := html.EscapeString(table)
	if !h.started {
		h.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", t, "</title></head><body>\n")
		h.started = true
	}
	if h.open {
		h.write("</tbody></table>\n")
	}
	h.write("<h1>", t, "</h1>\n<table border=\"1\">\n")
	if h.headers {
		h.write("<thead><tr>")
		for _, c := range cols {
			h.write("<th>", html.EscapeString(c), "</th>")
		}
		h.write("</tr></thead>\n")
	}
	h.write("<tbody>\n")
	h.open = true
	return h.err
}

func (h *htmlExport) row(_ map[string]any, cells []string) error {
	h.write("<tr>")
	for _, c := range cells {
		h.write("<td>", html.EscapeString(neutraliseCell(c)), "</td>")
	}
	h.write("</tr>\n")
	return h.err
}

func (h *htmlExport) finish() error {
	if h.open {
		h.write("</tbody></table>\n")
	}
	if !h.started {
		h.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n")
	}
	h.write("</body></html>\n")
	if h.err != nil {
		return h.err
	}
	return h.w.Flush()
}

// cellText formats one attribute value for a tabular export so that an
// import reads it back as the same value: null is empty, times are
// RFC 3339 in UTC (dates as YYYY-MM-DD), booleans true/false, numbers in
// plain decimal, lists and objects as JSON.
func cellText(v any, dateOnly bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		if dateOnly {
			return x.UTC().Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339Nano)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []byte:
		return string(x)
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}
