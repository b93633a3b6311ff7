package actions

import (
	"bufio"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// csvExport writes one table as RFC 4180 CSV, byte for byte as
// encoding/csv's Writer does (comma, LF line ends), but formats values
// straight into its buffer instead of making a string per cell.
type csvExport struct {
	w       *bufio.Writer
	headers bool
	line    []byte // the record being built
}

func (c *csvExport) begin(_ string, cols []string) error {
	if c.headers {
		return c.cells(cols, false)
	}
	return nil
}

// row writes one record; text that a spreadsheet would run as a formula
// is neutralised (see neutraliseCell).
func (c *csvExport) row(_ map[string]any, cells []string) error { return c.cells(cells, true) }

func (c *csvExport) cells(cells []string, guard bool) error {
	b := c.line[:0]
	for i, s := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		if guard {
			s = neutraliseCell(s)
		}
		b = appendCSVField(b, s)
	}
	return c.flushLine(b)
}

// values writes one row of attribute values as cellText would format them.
func (c *csvExport) values(vals []any, dateOnly []bool) error {
	b := c.line[:0]
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVValue(b, v, dateOnly[i])
	}
	return c.flushLine(b)
}

func (c *csvExport) flushLine(b []byte) error {
	b = append(b, '\n')
	c.line = b
	_, err := c.w.Write(b)
	return err
}

func (c *csvExport) finish() error { return c.w.Flush() }

// appendCSVValue appends cellText(v, dateOnly) as a CSV field. Numbers,
// booleans and times never need quotes, so they are formatted in place.
func appendCSVValue(b []byte, v any, dateOnly bool) []byte {
	switch x := v.(type) {
	case nil:
		return b
	case string:
		return appendCSVField(b, neutraliseCell(x))
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		if dateOnly {
			return x.UTC().AppendFormat(b, time.DateOnly)
		}
		return x.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	return appendCSVField(b, neutraliseCell(cellText(v, dateOnly)))
}

// appendCSVField appends one field, quoted when it holds a comma, a quote,
// CR or LF, starts with a space, or is `\.`; quotes inside are doubled.
func appendCSVField(b []byte, s string) []byte {
	if !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
