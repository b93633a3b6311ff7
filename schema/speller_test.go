package schema

import (
	"strconv"
	"strings"
	"testing"
)

// recordingSpeller spells types and defaults with markers, so a test sees
// exactly which parts SQLType and SQLDefault hand the dialect.
type recordingSpeller struct{}

func (recordingSpeller) ColumnType(base string, n, m int, unsigned bool) string {
	out := strings.ToUpper(base)
	if n >= 0 {
		out += "<" + strconv.Itoa(n)
		if m >= 0 {
			out += "," + strconv.Itoa(m)
		}
		out += ">"
	}
	if unsigned {
		out += "+"
	}
	return out
}

func (recordingSpeller) BoolLiteral(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func (recordingSpeller) CurrentTimestamp() string { return "NOW" }

func TestSQLTypeHandsTheDialectParsedParts(t *testing.T) {
	t.Parallel()
	scenarios := map[string]string{
		"varchar(20)":         "VARCHAR<20>",
		" INT ( 11 ) ":        "INT<11>",
		"decimal(10, 2)":      "DECIMAL<10,2>",
		"bigint unsigned":     "BIGINT+",
		"int(4)   unsigned":   "INT<4>+",
		"timestamp":           "TIMESTAMP",
		"Text":                "TEXT",
		"float(7,4) unsigned": "FLOAT<7,4>+",
	}
	for in, want := range scenarios {
		if got, err := SQLType(recordingSpeller{}, in); err != nil || got != want {
			t.Errorf("SQLType(%q) = %q, %v; want %q", in, got, err, want)
		}
		if err := CheckDataType(in); err != nil {
			t.Errorf("CheckDataType(%q) = %v", in, err)
		}
	}
	if err := CheckDataType("varchar(10); drop"); err == nil {
		t.Error("CheckDataType accepted an injection")
	}
}

func TestSQLDefaultAsksTheDialect(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		kind ValueKind
		in   string
		want string
	}{
		{KindBool, "true", "YES"},
		{KindBool, "'0'", "NO"},
		{KindTime, "CURRENT_TIMESTAMP", "NOW"},
		{KindInt, "false", "0"},
		{KindString, "null", "NULL"},
	}
	for _, s := range scenarios {
		if got, err := SQLDefault(recordingSpeller{}, s.kind, s.in); err != nil || got != s.want {
			t.Errorf("SQLDefault(%v, %q) = %q, %v; want %q", s.kind, s.in, got, err, s.want)
		}
	}
	if got, err := SQLDefault(checkSpeller{}, KindBool, "yes"); err == nil {
		t.Errorf("the schema check accepted a boolean default %q", got)
	}
	if got, _ := SQLDefault(checkSpeller{}, KindBool, "1"); got != "TRUE" {
		t.Errorf("checkSpeller spells true as %q", got)
	}
}
