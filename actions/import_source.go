package actions

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// RowError is one rejected row of an import: Row is the row number as the
// file shows it (CSV/XLSX: the header is row 1, so data starts at row 2;
// JSON: the position in the table's array, from 1), Column the column at
// fault when known.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// record is one data row of a tabular file: cells in header order, or a
// problem that rejects the row (ragged row, bad UTF-8, CSV syntax).
type record struct {
	row   int
	cells []string
	bad   *RowError
}

// tableSource yields the header and then the data rows of a tabular file.
type tableSource interface {
	header() []string
	next() (record, error) // io.EOF after the last row
	close()
}

// File formats of imports and exports.
const (
	fmtJSON = "json"
	fmtCSV  = "csv"
	fmtXLSX = "xlsx"
	fmtPDF  = "pdf"
	fmtHTML = "html"
)

// importFormat picks the format of an imported file: its extension, else
// its MIME type, else its first bytes ({ or [ JSON, PK zip XLSX, else CSV).
func importFormat(name, mime string, head []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return fmtJSON
	case ".csv", ".tsv", ".txt":
		return fmtCSV
	case ".xlsx", ".xlsm", ".xls":
		return fmtXLSX
	}
	mime = strings.ToLower(mime)
	switch {
	case strings.Contains(mime, "json"):
		return fmtJSON
	case strings.Contains(mime, "csv"):
		return fmtCSV
	case strings.Contains(mime, "spreadsheet"), strings.Contains(mime, "excel"):
		return fmtXLSX
	}
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(head, []byte("PK")):
		return fmtXLSX
	case bytes.HasPrefix(head, []byte("{")):
		return fmtJSON
	}
	return fmtCSV
}

// csvSource streams a CSV file. Rows with a different number of cells
// than the header, bad UTF-8 or broken quoting are rejected one by one.
type csvSource struct {
	r    *csv.Reader
	head []string
	n    int // records read, header included
}

func newCSVSource(r io.Reader) (*csvSource, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, Fail(http.StatusBadRequest, "the CSV file is empty: it needs a header row")
	}
	if err != nil {
		return nil, Fail(http.StatusBadRequest, "the CSV header is not valid CSV: %v", err)
	}
	head = append([]string(nil), head...)
	for i, h := range head {
		if !utf8.ValidString(h) {
			return nil, Fail(http.StatusBadRequest, "the CSV header is not UTF-8 text")
		}
		head[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return &csvSource{r: cr, head: head, n: 1}, nil
}

func (s *csvSource) header() []string { return s.head }
func (s *csvSource) close()           {}

func (s *csvSource) next() (record, error) {
	cells, err := s.r.Read()
	s.n++
	if errors.Is(err, io.EOF) {
		return record{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return record{row: s.n, bad: &RowError{Row: s.n, Reason: "not valid CSV: " + pe.Err.Error()}}, nil
		}
		return record{}, err
	}
	rec := checkCells(s.n, s.head, cells)
	for i, c := range rec.cells {
		rec.cells[i] = restoreCell(c) // undo the export's formula guard
	}
	return rec, nil
}

// checkCells rejects ragged rows and bad UTF-8; otherwise the record keeps
// a copy of the cells.
func checkCells(row int, head, cells []string) record {
	if len(cells) != len(head) {
		return record{row: row, bad: &RowError{Row: row, Reason: fmt.Sprintf("the row has %d cells, the header has %d", len(cells), len(head))}}
	}
	for i, c := range cells {
		if !utf8.ValidString(c) {
			return record{row: row, bad: &RowError{Row: row, Column: head[i], Reason: "not UTF-8 text"}}
		}
	}
	return record{row: row, cells: append([]string(nil), cells...)}
}

// xlsxSource streams one sheet of a workbook. Short rows are padded (a
// spreadsheet leaves trailing empty cells out); longer rows are rejected
// unless the extra cells are empty.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	head []string
	n    int
}

// newXLSXSource opens sheet (the first sheet when empty or absent).
func newXLSXSource(r io.Reader, sheet string) (*xlsxSource, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, Fail(http.StatusBadRequest, "not a readable XLSX workbook: %v", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, Fail(http.StatusBadRequest, "the workbook has no sheet")
	}
	name := sheets[0]
	for _, s := range sheets {
		if sheet != "" && strings.EqualFold(s, sheet) {
			name = s
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		_ = f.Close()
		return nil, Fail(http.StatusBadRequest, "sheet %s: %v", name, err)
	}
	s := &xlsxSource{f: f, rows: rows}
	if !rows.Next() {
		s.close()
		return nil, Fail(http.StatusBadRequest, "sheet %s is empty: it needs a header row", name)
	}
	head, err := rows.Columns()
	if err != nil {
		s.close()
		return nil, Fail(http.StatusBadRequest, "sheet %s: %v", name, err)
	}
	for len(head) > 0 && strings.TrimSpace(head[len(head)-1]) == "" {
		head = head[:len(head)-1]
	}
	if len(head) == 0 {
		s.close()
		return nil, Fail(http.StatusBadRequest, "sheet %s: the header row is empty", name)
	}
	for i := range head {
		head[i] = strings.TrimSpace(head[i])
	}
	s.head, s.n = head, 1
	return s, nil
}

func (s *xlsxSource) header() []string { return s.head }

func (s *xlsxSource) close() {
	_ = s.rows.Close()
	_ = s.f.Close()
}

func (s *xlsxSource) next() (record, error) {
	for s.rows.Next() {
		s.n++
		cells, err := s.rows.Columns()
		if err != nil {
			return record{row: s.n, bad: &RowError{Row: s.n, Reason: err.Error()}}, nil
		}
		empty := true
		for _, c := range cells {
			empty = empty && strings.TrimSpace(c) == ""
		}
		if empty {
			continue
		}
		for len(cells) > len(s.head) && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		for len(cells) < len(s.head) {
			cells = append(cells, "")
		}
		return checkCells(s.n, s.head, cells), nil
	}
	if err := s.rows.Error(); err != nil {
		return record{}, Fail(http.StatusBadRequest, "reading the sheet: %v", err)
	}
	return record{}, io.EOF
}

// sampledSource reads ahead up to inferSampleRows rows so their values can
// pick column types, then replays them before the rest of the file.
type sampledSource struct {
	tableSource
	sample []record
	pos    int
}

func newSampledSource(src tableSource) (*sampledSource, error) {
	s := &sampledSource{tableSource: src}
	for len(s.sample) < inferSampleRows {
		rec, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		s.sample = append(s.sample, rec)
	}
	return s, nil
}

// sampleCells are the cells of the good sampled rows.
func (s *sampledSource) sampleCells() [][]string {
	out := make([][]string, 0, len(s.sample))
	for _, r := range s.sample {
		if r.bad == nil {
			out = append(out, r.cells)
		}
	}
	return out
}

func (s *sampledSource) next() (record, error) {
	if s.pos < len(s.sample) {
		s.pos++
		rec := s.sample[s.pos-1]
		s.sample[s.pos-1] = record{}
		return rec, nil
	}
	return s.tableSource.next()
}
