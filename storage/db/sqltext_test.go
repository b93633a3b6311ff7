package db

import (
	"errors"
	"testing"
	"time"
)

// dialects returns the three dialects by name.
func dialects(t *testing.T) map[string]Dialect {
	t.Helper()
	out := map[string]Dialect{}
	for _, n := range []string{"sqlite", "postgres", "mysql"} {
		d, err := DialectFor(n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = d
	}
	return out
}

func TestTimePart(t *testing.T) {
	ds := dialects(t)
	cases := []struct {
		dialect, name, want string
		ok                  bool
	}{
		{"sqlite", "date", "DATE(x)", true},
		{"sqlite", "julianday", "JULIANDAY(x)", true},
		{"sqlite", "month", "CAST(STRFTIME('%m', x) AS INTEGER)", true},
		{"sqlite", "week", "", false},
		{"postgres", "date", "CAST(x AS DATE)", true},
		{"postgres", "time", "TO_CHAR(x, 'HH24:MI:SS')", true},
		{"postgres", "datetime", "DATE_TRUNC('second', x)", true},
		{"postgres", "year", "EXTRACT(YEAR FROM x)", true},
		{"postgres", "hour", "", false},
		{"mysql", "time", "DATE_FORMAT(x, '%H:%i:%s')", true},
		{"mysql", "datetime", "CAST(x AS DATETIME)", true},
		{"mysql", "day", "EXTRACT(DAY FROM x)", true},
	}
	for _, c := range cases {
		got, ok := ds[c.dialect].TimePart(c.name, "x")
		if got != c.want || ok != c.ok {
			t.Errorf("%s TimePart(%s) = %q, %v; want %q, %v", c.dialect, c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestTimeTrunc(t *testing.T) {
	ds := dialects(t)
	cases := []struct {
		dialect, unit, want string
		ok                  bool
	}{
		{"sqlite", "day", "STRFTIME('%Y-%m-%d 00:00:00', x)", true},
		{"sqlite", "week", "STRFTIME('%Y-%m-%d 00:00:00', x, '-6 days', 'weekday 1')", true},
		{"postgres", "month", "DATE_TRUNC('month', x)", true},
		{"mysql", "year", "DATE_FORMAT(x, '%Y-01-01 00:00:00')", true},
		{"mysql", "week", "DATE_FORMAT(DATE_SUB(x, INTERVAL WEEKDAY(x) DAY), '%Y-%m-%d 00:00:00')", true},
		{"postgres", "minute", "", false},
		{"sqlite", "decade", "", false},
	}
	for _, c := range cases {
		got, ok := ds[c.dialect].TimeTrunc(c.unit, "x")
		if got != c.want || ok != c.ok {
			t.Errorf("%s TimeTrunc(%s) = %q, %v; want %q, %v", c.dialect, c.unit, got, ok, c.want, c.ok)
		}
	}
}

func TestFormatTime(t *testing.T) {
	ds := dialects(t)
	cases := []struct {
		dialect, format, sql, arg string
		first, bad                bool
	}{
		{"sqlite", "%Y-%m", "STRFTIME(?, x)", "%Y-%m", true, false},
		{"postgres", "%Y-%m at %H", "TO_CHAR(x, ?)", `YYYY-MM "a""t" HH24`, false, false},
		{"mysql", "%Y %M %S %%", "DATE_FORMAT(x, ?)", "%Y %i %s %%", false, false},
		{"sqlite", "%Q", "", "", false, true},
		{"postgres", "100%", "", "", false, true},
		{"mysql", "%x", "", "", false, true},
	}
	for _, c := range cases {
		sql, arg, first, err := ds[c.dialect].FormatTime("x", c.format)
		var fe *FormatError
		if c.bad != errors.As(err, &fe) {
			t.Errorf("%s FormatTime(%q) error %v, want error %v", c.dialect, c.format, err, c.bad)
			continue
		}
		if sql != c.sql || arg != c.arg || first != c.first {
			t.Errorf("%s FormatTime(%q) = %q, %q, %v; want %q, %q, %v", c.dialect, c.format, sql, arg, first, c.sql, c.arg, c.first)
		}
	}
}

func TestFunctionsAndClauses(t *testing.T) {
	ds := dialects(t)
	type answers struct {
		hexBytes, hexText, round, text, hint, group, mark, raw string
		like, numbered, rawOK, groupOK                         bool
		params                                                 int
	}
	want := map[string]answers{
		"sqlite": {hexBytes: "HEX(x)", hexText: "HEX(x)", round: "x", text: "TEXT", group: "+x", groupOK: true,
			mark: "?", numbered: true, raw: "+x", rawOK: true, params: 32766},
		"postgres": {hexBytes: "UPPER(ENCODE((x), 'hex'))", hexText: "UPPER(ENCODE(CONVERT_TO(x, 'UTF8'), 'hex'))",
			round: "CAST(x AS NUMERIC)", text: "TEXT", like: true, mark: "$", numbered: true, params: 65535},
		"mysql": {hexBytes: "HEX(x)", hexText: "HEX(x)", round: "x", text: "CHAR", hint: " USE INDEX FOR GROUP BY ()", params: 65535},
	}
	for name, w := range want {
		d := ds[name]
		group, groupOK := d.UnindexedGroupTerm("x")
		mark, numbered := d.NumberedPlaceholder()
		raw, rawOK := d.RawTimeColumn("x")
		got := answers{d.Hex("x", true), d.Hex("x", false), d.RoundOperand("x"), d.TextType(), d.NoGroupIndexHint(),
			group, mark, raw, d.LikeCaseSensitive(), numbered, rawOK, groupOK, d.MaxBindParams()}
		if got != w {
			t.Errorf("%s: got %+v\nwant %+v", name, got, w)
		}
	}
}

func TestFuncName(t *testing.T) {
	ds := dialects(t)
	cases := []struct {
		dialect, name string
		nargs         int
		want          string
		ok            bool
	}{
		{"sqlite", "length", 1, "LENGTH", true},
		{"mysql", "length", 1, "CHAR_LENGTH", true},
		{"postgres", "length", 1, "LENGTH", true},
		{"postgres", "ifnull", 2, "COALESCE", true},
		{"sqlite", "ifnull", 2, "IFNULL", true},
		{"postgres", "trim", 2, "BTRIM", true},
		{"postgres", "ltrim", 2, "LTRIM", true},
		{"mysql", "trim", 1, "TRIM", true},
		{"mysql", "rtrim", 2, "", false},
	}
	for _, c := range cases {
		got, ok := ds[c.dialect].FuncName(c.name, c.nargs)
		if got != c.want || ok != c.ok {
			t.Errorf("%s FuncName(%s, %d) = %q, %v; want %q, %v", c.dialect, c.name, c.nargs, got, ok, c.want, c.ok)
		}
	}
}

func TestColumnDefaultAndIndexColumn(t *testing.T) {
	ds := dialects(t)
	cases := []struct {
		dialect, typ, def string
		adding            bool
		wantDef, wantIdx  string
	}{
		{"sqlite", "timestamp", "CURRENT_TIMESTAMP", true, "", "c"},
		{"sqlite", "timestamp", "current_timestamp", false, "current_timestamp", "c"},
		{"postgres", "text", "'a'", true, "'a'", "c"},
		{"mysql", "text", "'a'", false, "", "c(191)"},
		{"mysql", "longblob", "'a'", false, "", "c(191)"},
		{"mysql", "varchar(1000)", "'a'", false, "'a'", "c(191)"},
		{"mysql", "varchar(255)", "'a'", false, "'a'", "c"},
		{"mysql", "int(11)", "1", true, "1", "c"},
	}
	for _, c := range cases {
		d := ds[c.dialect]
		if got := d.ColumnDefault(c.typ, c.def, c.adding); got != c.wantDef {
			t.Errorf("%s ColumnDefault(%s, %s, %v) = %q, want %q", c.dialect, c.typ, c.def, c.adding, got, c.wantDef)
		}
		if got := d.IndexColumn("c", c.typ); got != c.wantIdx {
			t.Errorf("%s IndexColumn(%s) = %q, want %q", c.dialect, c.typ, got, c.wantIdx)
		}
	}
}

func TestParseRawTime(t *testing.T) {
	ds := dialects(t)
	cases := []struct {
		dialect, in string
		want        time.Time
		ok          bool
	}{
		{"sqlite", "2024-02-29 10:11:12.5+02:00", time.Date(2024, 2, 29, 8, 11, 12, 500000000, time.UTC), true},
		{"sqlite", "2024-01-02 03:04:05-01:30", time.Date(2024, 1, 2, 4, 34, 5, 0, time.UTC), true},
		{"sqlite", "2023-02-29 10:11:12+00:00", time.Time{}, false},
		{"sqlite", "2024-01-02T03:04:05Z", time.Time{}, false},
		{"sqlite", "2024-01-02 03:04:05.+00:00", time.Time{}, false},
		{"postgres", "2024-01-02 03:04:05+00:00", time.Time{}, false},
		{"mysql", "2024-01-02 03:04:05+00:00", time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := ds[c.dialect].ParseRawTime(c.in)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("%s ParseRawTime(%q) = %v, %v; want %v, %v", c.dialect, c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestPositionalColumnText(t *testing.T) {
	ds := dialects(t)
	cases := []struct{ dialect, expr, want string }{
		{"sqlite", `b."title"`, `+b."title" AS c`},
		{"sqlite", `+b."seen"`, `+b."seen" AS c`}, // a RawTimeColumn keeps its one unary plus
		{"postgres", `b."title"`, `b."title"`},
		{"mysql", "b.`title`", "b.`title`"},
	}
	for _, c := range cases {
		if got := ds[c.dialect].PositionalColumn(c.expr); got != c.want {
			t.Errorf("%s PositionalColumn(%s) = %s, want %s", c.dialect, c.expr, got, c.want)
		}
	}
}
