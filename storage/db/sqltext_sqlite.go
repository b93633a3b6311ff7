package db

import (
	"strings"
	"time"
)

var _ SQLText = sqliteDialect{}

func (sqliteDialect) TimePart(name, x string) (string, bool) {
	switch name {
	case "date", "time", "datetime", "julianday":
		return strings.ToUpper(name) + "(" + x + ")", true
	case "month", "year", "day":
		code := map[string]string{"month": "%m", "year": "%Y", "day": "%d"}[name]
		return "CAST(STRFTIME('" + code + "', " + x + ") AS INTEGER)", true
	}
	return "", false
}

func (sqliteDialect) TimeTrunc(unit, x string) (string, bool) {
	f, ok := truncFormats[unit]
	if !ok {
		return "", false
	}
	if unit == "week" {
		return "STRFTIME('" + f + "', " + x + ", '-6 days', 'weekday 1')", true
	}
	return "STRFTIME('" + f + "', " + x + ")", true
}

// FormatTime binds the format unchanged, after checking it.
func (sqliteDialect) FormatTime(x, format string) (string, string, bool, error) {
	if _, err := translateStrftime(format, styleToChar); err != nil {
		return "", "", false, err
	}
	return "STRFTIME(?, " + x + ")", format, true, nil
}

func (sqliteDialect) Hex(x string, bytes bool) string { return "HEX(" + x + ")" }
func (sqliteDialect) RoundOperand(x string) string    { return x }
func (sqliteDialect) TextType() string                { return "TEXT" }
func (sqliteDialect) LikeCaseSensitive() bool         { return false }
func (sqliteDialect) NoGroupIndexHint() string        { return "" }
func (sqliteDialect) MaxBindParams() int              { return 32766 }

func (sqliteDialect) FuncName(name string, nargs int) (string, bool) {
	return strings.ToUpper(name), true
}

// UnindexedGroupTerm uses unary plus: the same value, type and collation,
// but it matches no index.
func (sqliteDialect) UnindexedGroupTerm(col string) (string, bool) { return "+" + col, true }

// NumberedPlaceholder is ?NNN.
func (sqliteDialect) NumberedPlaceholder() (string, bool) { return "?", true }

// RawTimeColumn uses unary plus, which keeps the value but not the
// declared type, so the driver hands the stored text over unparsed.
func (sqliteDialect) RawTimeColumn(col string) (string, bool) { return "+" + col, true }

// PositionalColumn: the driver builds the name and the declared type of
// every result column as Go strings on each query. Unary plus leaves the
// value and its storage class alone but gives the column no declared type
// (an empty string), and a one-byte name is a string Go does not allocate.
// A declared type only matters to the driver for times it parses, which a
// positional read takes raw (RawTimeColumn, already under unary plus).
func (sqliteDialect) PositionalColumn(expr string) string {
	if strings.HasPrefix(expr, "+") {
		return expr + " AS c"
	}
	return "+" + expr + " AS c"
}

// ParseRawTime reads the text the driver stores for a time (its "sqlite"
// format, "2006-01-02 15:04:05.999999999-07:00") without time.Parse.
func (sqliteDialect) ParseRawTime(s string) (time.Time, bool) { return sqliteStoredTime(s) }

// ColumnDefault drops CURRENT_TIMESTAMP from ADD COLUMN: SQLite cannot add
// a column with a non-constant default.
func (sqliteDialect) ColumnDefault(sqlType, def string, adding bool) string {
	if adding && strings.EqualFold(def, "CURRENT_TIMESTAMP") {
		return ""
	}
	return def
}

func (sqliteDialect) IndexColumn(col, sqlType string) string { return col }
