package db

import (
	"fmt"
	"strings"
	"time"
)

var _ SQLText = mysqlDialect{}

func (mysqlDialect) TimePart(name, x string) (string, bool) {
	switch name {
	case "date":
		return "DATE(" + x + ")", true
	case "time":
		return "DATE_FORMAT(" + x + ", '%H:%i:%s')", true
	case "datetime":
		return "CAST(" + x + " AS DATETIME)", true
	case "julianday":
		return "(TO_DAYS(" + x + ") + TIME_TO_SEC(" + x + ") / 86400 + 1721059.5)", true
	}
	return extractPart(name, x)
}

func (mysqlDialect) TimeTrunc(unit, x string) (string, bool) {
	f, ok := truncFormats[unit]
	if !ok {
		return "", false
	}
	if unit == "week" {
		return "DATE_FORMAT(DATE_SUB(" + x + ", INTERVAL WEEKDAY(" + x + ") DAY), '" + f + "')", true
	}
	return "DATE_FORMAT(" + x + ", '" + f + "')", true
}

// FormatTime translates the format to DATE_FORMAT's.
func (mysqlDialect) FormatTime(x, format string) (string, string, bool, error) {
	f, err := translateStrftime(format, styleDateFormat)
	if err != nil {
		return "", "", false, err
	}
	return "DATE_FORMAT(" + x + ", ?)", f, false, nil
}

func (mysqlDialect) Hex(x string, bytes bool) string { return "HEX(" + x + ")" }
func (mysqlDialect) RoundOperand(x string) string    { return x }

// FuncName counts characters, not bytes, for length; MySQL's TRIM takes no
// character list in function form.
func (mysqlDialect) FuncName(name string, nargs int) (string, bool) {
	switch {
	case name == "length":
		return "CHAR_LENGTH", true
	case nargs == 2 && (name == "trim" || name == "ltrim" || name == "rtrim"):
		return "", false
	}
	return strings.ToUpper(name), true
}

func (mysqlDialect) TextType() string        { return "CHAR" }
func (mysqlDialect) LikeCaseSensitive() bool { return false }

// NoGroupIndexHint keeps MySQL from walking an index for GROUP BY.
func (mysqlDialect) NoGroupIndexHint() string                 { return " USE INDEX FOR GROUP BY ()" }
func (mysqlDialect) UnindexedGroupTerm(string) (string, bool) { return "", false }
func (mysqlDialect) MaxBindParams() int                       { return 65535 }
func (mysqlDialect) NumberedPlaceholder() (string, bool)      { return "", false }
func (mysqlDialect) RawTimeColumn(string) (string, bool)      { return "", false }
func (mysqlDialect) ParseRawTime(string) (time.Time, bool)    { return time.Time{}, false }

// ColumnDefault drops defaults on TEXT and BLOB, which MySQL before 8.0.13
// rejects.
func (mysqlDialect) ColumnDefault(sqlType, def string, _ bool) string {
	if isTextOrBlob(sqlType) {
		return ""
	}
	return def
}

// IndexColumn indexes the first 191 characters of long text: InnoDB keys
// hold at most 767 bytes (191 four-byte characters).
func (mysqlDialect) IndexColumn(col, sqlType string) string {
	if mysqlNeedsPrefix(sqlType) {
		return col + "(191)"
	}
	return col
}

func mysqlNeedsPrefix(typ string) bool {
	t := strings.ToUpper(typ)
	if isTextOrBlob(t) {
		return true
	}
	var n int
	if strings.HasPrefix(t, "VARCHAR(") {
		fmt.Sscanf(t[len("VARCHAR("):], "%d", &n)
		return n > 768
	}
	return false
}

// PositionalColumn is expr: the driver does no per-column work worth avoiding.
func (mysqlDialect) PositionalColumn(expr string) string { return expr }
