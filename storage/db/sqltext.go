package db

import (
	"fmt"
	"strings"
	"time"
)

// SQLText is the SQL text that differs per database in statements built at
// run time: date and time functions, text functions and casts, LIKE,
// grouping hints, bulk-insert limits, placeholder numbering, column
// defaults and index prefixes. Each dialect's answers live in its own file,
// sqltext_<dialect>.go (column types in coltype_<dialect>.go), so a new
// database is a few more files here.
type SQLText interface {
	// TimePart applies the date/time function name ("date", "time",
	// "datetime", "julianday", "month", "year" or "day", as SQLite names
	// them) to the time expression x; ok is false for any other name.
	TimePart(name, x string) (sql string, ok bool)
	// TimeTrunc is the start of the "hour", "day", "week" (Monday),
	// "month" or "year" holding x, as a timestamp (PostgreSQL) or
	// 'YYYY-MM-DD HH:MM:SS' text; ok is false for any other unit.
	TimeTrunc(unit, x string) (sql string, ok bool)
	// FormatTime formats the time expression x with a SQLite strftime
	// format (codes %Y %m %d %H %M %S %j %%). The format is bound as the
	// one placeholder in sql: arg is its value, before x's own arguments
	// when argFirst, after them otherwise. err (*FormatError) names a
	// format the database cannot express.
	FormatTime(x, format string) (sql, arg string, argFirst bool, err error)
	// Hex is the upper-case hexadecimal form of x: its bytes when bytes is
	// true, else the UTF-8 bytes of x, which is already text.
	Hex(x string, bytes bool) string
	// RoundOperand prepares x for ROUND(x, digits).
	RoundOperand(x string) string
	// FuncName is the database's name for the SQLite scalar function name
	// called with nargs arguments; ok is false where it has none.
	FuncName(name string, nargs int) (fn string, ok bool)
	// TextType is the type name for CAST(x AS <TextType>).
	TextType() string
	// LikeCaseSensitive reports whether LIKE compares case-sensitively and
	// only text (PostgreSQL), so that a case-insensitive match on any
	// column needs LOWER(CAST(x AS text)).
	LikeCaseSensitive() bool
	// NoGroupIndexHint follows a table name in FROM to keep GROUP BY off
	// its indexes ("" where the database has no such hint).
	NoGroupIndexHint() string
	// UnindexedGroupTerm writes the column expression col so that GROUP
	// BY cannot match it to an index while the value stays the same; ok is
	// false where the database has no such form.
	UnindexedGroupTerm(col string) (term string, ok bool)
	// MaxBindParams is the most bound values one statement may carry.
	MaxBindParams() int
	// NumberedPlaceholder is the prefix of numbered placeholders ("?" for
	// ?1, "$" for $1); ok is false when only plain ? placeholders exist.
	NumberedPlaceholder() (mark string, ok bool)
	// RawTimeColumn is a SELECT expression for the time column col that
	// makes the driver return the stored text unparsed; ok is false when
	// the database has none (then times are read as the driver parses them).
	RawTimeColumn(col string) (expr string, ok bool)
	// ParseRawTime reads text returned for a RawTimeColumn as the UTC time
	// the driver would give; ok is false for any other form.
	ParseRawTime(s string) (t time.Time, ok bool)
	// PositionalColumn is the SELECT expression expr (a column or a
	// RawTimeColumn) for a read that takes its values by position and
	// never by name or declared type, in the form the driver handles with
	// the least work per query; the values read are the same as expr's.
	PositionalColumn(expr string) string
	// ColumnDefault is the DEFAULT the database accepts for a column of
	// sqlType whose wanted default is def ("" for none); adding is true
	// for ALTER TABLE ADD COLUMN.
	ColumnDefault(sqlType, def string, adding bool) string
	// ColumnType is the column type of DDL for a data type the schema
	// accepted: its lower-case base name ("varchar", "int", ...), its
	// (n) and (n,m) arguments (-1 when absent) and "unsigned"
	// (coltype_<dialect>.go).
	ColumnType(base string, n, m int, unsigned bool) string
	// BoolLiteral is a boolean DEFAULT literal.
	BoolLiteral(b bool) string
	// CurrentTimestamp is the DEFAULT of a time column set at insert.
	CurrentTimestamp() string
	// IndexColumn is the quoted column col as an index key part for a
	// column of sqlType (MySQL indexes only a prefix of long text).
	IndexColumn(col, sqlType string) string
}

// FormatError is a time format FormatTime cannot express; its message is
// fit for the client.
type FormatError struct{ msg string }

func (e *FormatError) Error() string { return e.msg }

// strftimeCodes maps the SQLite strftime codes Apiary supports to
// PostgreSQL TO_CHAR and MySQL DATE_FORMAT.
var strftimeCodes = map[byte][2]string{
	'Y': {"YYYY", "%Y"}, 'm': {"MM", "%m"}, 'd': {"DD", "%d"}, 'H': {"HH24", "%H"},
	'M': {"MI", "%i"}, 'S': {"SS", "%s"}, 'j': {"DDD", "%j"},
}

// strftimeStyle selects a column of strftimeCodes.
type strftimeStyle int

const (
	styleToChar     strftimeStyle = iota // PostgreSQL TO_CHAR: letters quoted
	styleDateFormat                      // MySQL DATE_FORMAT: %% for a percent
)

// translateStrftime rewrites a SQLite strftime format for style; it also
// checks the format for SQLite, which uses it unchanged.
func translateStrftime(f string, style strftimeStyle) (string, error) {
	var t strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			if style == styleToChar && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '"' || c == '\\') {
				t.WriteString(`"` + string(c) + `"`)
				continue
			}
			t.WriteByte(c)
			continue
		}
		if i+1 >= len(f) {
			return "", &FormatError{"strftime format ends with %"}
		}
		i++
		if f[i] == '%' {
			t.WriteString([2]string{"%", "%%"}[style])
			continue
		}
		code, ok := strftimeCodes[f[i]]
		if !ok {
			return "", &FormatError{fmt.Sprintf("strftime code %%%c is not supported (use %%Y %%m %%d %%H %%M %%S %%j %%%%)", f[i])}
		}
		t.WriteString(code[style])
	}
	return t.String(), nil
}

// truncFormats are the strftime formats of the start of each unit.
var truncFormats = map[string]string{
	"hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00", "week": "%Y-%m-%d 00:00:00",
	"month": "%Y-%m-01 00:00:00", "year": "%Y-01-01 00:00:00",
}

// extractPart is EXTRACT(unit FROM x) for month, year and day.
func extractPart(name, x string) (string, bool) {
	switch name {
	case "month", "year", "day":
		return "EXTRACT(" + strings.ToUpper(name) + " FROM " + x + ")", true
	}
	return "", false
}

// isTextOrBlob reports whether a SQL type is a TEXT or BLOB kind.
func isTextOrBlob(typ string) bool {
	t := strings.ToUpper(typ)
	return strings.Contains(t, "TEXT") || strings.Contains(t, "BLOB")
}
