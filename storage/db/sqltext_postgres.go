package db

import (
	"strings"
	"time"
)

var _ SQLText = postgresDialect{}

func (postgresDialect) TimePart(name, x string) (string, bool) {
	switch name {
	case "date":
		return "CAST(" + x + " AS DATE)", true
	case "time":
		return "TO_CHAR(" + x + ", 'HH24:MI:SS')", true
	case "datetime":
		return "DATE_TRUNC('second', " + x + ")", true
	case "julianday":
		return "(EXTRACT(EPOCH FROM " + x + ") / 86400.0 + 2440587.5)", true
	}
	return extractPart(name, x)
}

func (postgresDialect) TimeTrunc(unit, x string) (string, bool) {
	if _, ok := truncFormats[unit]; !ok {
		return "", false
	}
	return "DATE_TRUNC('" + unit + "', " + x + ")", true
}

// FormatTime translates the format to TO_CHAR's, letters quoted.
func (postgresDialect) FormatTime(x, format string) (string, string, bool, error) {
	f, err := translateStrftime(format, styleToChar)
	if err != nil {
		return "", "", false, err
	}
	return "TO_CHAR(" + x + ", ?)", f, false, nil
}

func (postgresDialect) Hex(x string, bytes bool) string {
	if bytes {
		return "UPPER(ENCODE((" + x + "), 'hex'))"
	}
	return "UPPER(ENCODE(CONVERT_TO(" + x + ", 'UTF8'), 'hex'))"
}

// RoundOperand casts to NUMERIC: ROUND(double precision, int) does not exist.
func (postgresDialect) RoundOperand(x string) string { return "CAST(" + x + " AS NUMERIC)" }

func (postgresDialect) FuncName(name string, nargs int) (string, bool) {
	switch {
	case name == "ifnull":
		return "COALESCE", true
	case name == "trim" && nargs == 2:
		return "BTRIM", true
	}
	return strings.ToUpper(name), true
}

func (postgresDialect) TextType() string                                 { return "TEXT" }
func (postgresDialect) LikeCaseSensitive() bool                          { return true }
func (postgresDialect) NoGroupIndexHint() string                         { return "" }
func (postgresDialect) UnindexedGroupTerm(string) (string, bool)         { return "", false }
func (postgresDialect) MaxBindParams() int                               { return 65535 }
func (postgresDialect) NumberedPlaceholder() (string, bool)              { return "$", true }
func (postgresDialect) RawTimeColumn(string) (string, bool)              { return "", false }
func (postgresDialect) ParseRawTime(string) (time.Time, bool)            { return time.Time{}, false }
func (postgresDialect) ColumnDefault(sqlType, def string, _ bool) string { return def }
func (postgresDialect) IndexColumn(col, sqlType string) string           { return col }

// PositionalColumn is expr: the driver does no per-column work worth avoiding.
func (postgresDialect) PositionalColumn(expr string) string { return expr }
