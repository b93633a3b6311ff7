package actions

import (
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apiary/apiary/schema"
)

// Limits of schema inference from a data file.
const (
	inferSampleRows  = 1000 // rows looked at to pick each column's type
	labelMaxChars    = 500  // longer text makes a content (text) column
	maxColumnNameLen = 60
)

// reservedColumns are names every table already has; a header that would
// produce one of them gets a "_1" suffix.
var reservedColumns = map[string]bool{
	schema.ColID: true, schema.ColReferenceID: true, schema.ColVersion: true, schema.ColCreatedAt: true,
	schema.ColUpdatedAt: true, schema.ColPermission: true, schema.ColOwner: true, "usergroup_id": true,
}

// ColumnNames turns file headers into column names (docs/import-export.md):
// lower-case; every character that is not an ASCII letter or digit becomes
// "_"; runs of "_" collapse and leading/trailing "_" go; a name starting
// with a digit gets the prefix "c_"; names longer than 60 bytes are cut; a
// reserved name (id, reference_id, version, created_at, updated_at,
// permission, user_account_id, usergroup_id) gets the suffix "_1"; an empty
// result becomes "column_<n>" (n = 1-based position); a repeated name gets
// "_2", "_3", ... in file order.
func ColumnNames(headers []string) []string {
	out := make([]string, len(headers))
	seen := map[string]bool{}
	for i, h := range headers {
		name := headerName(h)
		if name == "" {
			name = "column_" + strconv.Itoa(i+1)
		}
		if reservedColumns[name] {
			name += "_1"
		}
		base := name
		for n := 2; seen[name]; n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		seen[name] = true
		out[i] = name
	}
	return out
}

// headerName applies the character rules of ColumnNames to one header.
func headerName(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimPrefix(h, "\ufeff")) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	name := strings.Trim(b.String(), "_")
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		name = "c_" + name
	}
	if len(name) > maxColumnNameLen {
		name = strings.TrimRight(name[:maxColumnNameLen], "_")
	}
	return name
}

// EntityName snake-cases a table name given by a caller ("Product Item"
// -> "product_item"); ok is false when the result is not a valid
// identifier (lower-case ASCII letters, digits and "_", not starting with
// a digit or "_").
func EntityName(s string) (string, bool) {
	name := schema.SnakeCase(s)
	if !schema.ValidIdentifier(name) || strings.HasPrefix(name, "_") {
		return "", false
	}
	return name, true
}

// Inferred column kinds, from the most to the least specific.
const (
	kindNone = iota // no value seen yet
	kindBool
	kindInt
	kindFloat
	kindDate
	kindDateTime
	kindEmail
	kindURL
	kindText
)

// typeGuess accumulates what the sampled values of one column allow.
type typeGuess struct {
	header   string
	name     string
	possible map[int]bool // kinds every value seen so far fits
	sawWord  bool         // a true/false/yes/no value (not only 0/1)
	sawDate  bool         // a date-only value (with datetimes: datetime)
	maxChars int
}

func newGuess(header, name string) *typeGuess {
	return &typeGuess{header: header, name: name, possible: map[int]bool{kindBool: true, kindInt: true,
		kindFloat: true, kindDate: true, kindDateTime: true, kindEmail: true, kindURL: true}}
}

// add narrows the guess by one value; empty values say nothing.
func (g *typeGuess) add(v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if n := utf8.RuneCountInString(v); n > g.maxChars {
		g.maxChars = n
	}
	p := g.possible
	if p[kindBool] {
		switch strings.ToLower(v) {
		case "true", "false", "yes", "no":
			g.sawWord = true
		case "0", "1":
		default:
			p[kindBool] = false
		}
	}
	if p[kindInt] && !isInteger(v) {
		p[kindInt] = false
	}
	if p[kindFloat] && !isFloat(v) {
		p[kindFloat] = false
	}
	if p[kindDate] || p[kindDateTime] {
		isDate, isDateTime := dateKind(v)
		g.sawDate = g.sawDate || isDate
		if !isDate && !isDateTime {
			p[kindDate], p[kindDateTime] = false, false
		}
		if !isDate {
			p[kindDate] = false
		}
	}
	if p[kindEmail] && !isEmail(v) {
		p[kindEmail] = false
	}
	if p[kindURL] && !isURL(v) {
		p[kindURL] = false
	}
}

// kind picks the inferred kind: booleans need a word (a column of only 0
// and 1 is a number), a mix of dates and date-times is a date-time.
func (g *typeGuess) kind() int {
	if g.maxChars == 0 {
		return kindText
	}
	p := g.possible
	switch {
	case p[kindBool] && g.sawWord:
		return kindBool
	case p[kindInt]:
		return kindInt
	case p[kindFloat]:
		return kindFloat
	case p[kindDate]:
		return kindDate
	case p[kindDateTime]:
		return kindDateTime
	case p[kindEmail]:
		return kindEmail
	case p[kindURL]:
		return kindURL
	}
	return kindText
}

// column is the inferred schema column: always nullable, never unique;
// indexed only when its name looks like a name or label.
func (g *typeGuess) column() schema.Column {
	col := schema.Column{Name: g.name, ColumnName: g.name, IsNullable: true}
	switch g.kind() {
	case kindBool:
		col.ColumnType, col.DataType = "truefalse", "boolean"
	case kindInt:
		col.ColumnType, col.DataType = "measurement", "bigint"
	case kindFloat:
		col.ColumnType, col.DataType = "float", "double"
	case kindDate:
		col.ColumnType, col.DataType = "date", "date"
	case kindDateTime:
		col.ColumnType, col.DataType = "datetime", "datetime"
	case kindEmail:
		col.ColumnType, col.DataType = "email", "varchar(255)"
	case kindURL:
		col.ColumnType, col.DataType = "url", "varchar(1000)"
	default:
		if g.maxChars > labelMaxChars {
			col.ColumnType, col.DataType = "content", "text"
		} else {
			col.ColumnType, col.DataType = "label", "varchar(500)"
			col.IsIndexed = looksLikeName(g.name)
		}
	}
	return col
}

// looksLikeName reports column names worth an index: name, title, label,
// code, key, slug and their compounds (first_name, product_code ...).
func looksLikeName(name string) bool {
	for _, part := range strings.Split(name, "_") {
		switch part {
		case "name", "title", "label", "code", "key", "slug", "sku":
			return true
		}
	}
	return false
}

// InferColumns picks a column per header from sample rows (up to the
// first 1,000 are used): integer, float, date, datetime, boolean, email,
// url, else label (≤ 500 characters) or content. Every column is
// nullable and not unique.
func InferColumns(headers []string, rows [][]string) []schema.Column {
	names := ColumnNames(headers)
	guesses := make([]*typeGuess, len(headers))
	for i, h := range headers {
		guesses[i] = newGuess(h, names[i])
	}
	for n, row := range rows {
		if n >= inferSampleRows {
			break
		}
		for i, v := range row {
			if i < len(guesses) {
				guesses[i].add(v)
			}
		}
	}
	cols := make([]schema.Column, len(guesses))
	for i, g := range guesses {
		cols[i] = g.column()
	}
	return cols
}

// isInteger accepts an optional sign and digits, without a leading zero
// (so codes such as "007" or zip codes stay text).
func isInteger(s string) bool {
	d := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if d == "" || len(d) > 18 || (len(d) > 1 && d[0] == '0') {
		return false
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isFloat(s string) bool {
	d := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if len(d) > 1 && d[0] == '0' && d[1] != '.' {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && strings.ContainsAny(s, "0123456789")
}

// Date-only and date-time layouts that inference recognises; every one is
// also read by the schema's value parser, so inferred columns accept them.
var (
	inferDateLayouts     = []string{"2006-01-02", "2006/01/02", "01/02/2006", "Jan 2, 2006", "January 2, 2006", "2 Jan 2006"}
	inferDateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006/01/02 15:04:05", "01/02/2006 15:04:05"}
)

func dateKind(s string) (isDate, isDateTime bool) {
	if len(s) < 8 || len(s) > 40 {
		return false, false
	}
	for _, l := range inferDateLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true, false
		}
	}
	for _, l := range inferDateTimeLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return false, true
		}
	}
	return false, false
}

func isEmail(s string) bool {
	if strings.ContainsAny(s, " <>") || !strings.Contains(s, "@") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

func isURL(s string) bool {
	if strings.ContainsAny(s, " \t") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
