package actions

import (
	"strconv"
	"strings"
)

// Spreadsheets run a CSV or HTML cell that starts with =, +, -, @, a tab or
// a carriage return as a formula (=HYPERLINK(...) arrives in Excel as a
// live link). Exports therefore write such text cells with a leading
// apostrophe, as OWASP advises, and Apiary's CSV import takes exactly one
// apostrophe off again, so an export imports back to identical values
// (docs/security.md). Plain numbers ("-5", "+1.5") are never formulas and
// are left alone, and so is text whose apostrophes a guard would not have
// added.

// formulaGuarded reports whether s, after any leading apostrophes, starts
// like a formula and is not a plain number.
func formulaGuarded(s string) bool {
	rest := strings.TrimLeft(s, "'")
	if rest == "" {
		return false
	}
	switch rest[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return false
	}
	_, err := strconv.ParseFloat(rest, 64)
	return err != nil
}

// neutraliseCell returns s as an export writes it: with one apostrophe in
// front when a spreadsheet would read it as a formula, or when it already
// starts with apostrophes before such text (so import can tell them apart).
func neutraliseCell(s string) string {
	if formulaGuarded(s) {
		return "'" + s
	}
	return s
}

// restoreCell undoes neutraliseCell for a cell read by the CSV import.
func restoreCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaGuarded(s[1:]) {
		return s[1:]
	}
	return s
}
