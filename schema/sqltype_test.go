package schema

import (
	"strings"
	"testing"

	"github.com/apiary/apiary/storage/db"
)

func TestSQLType(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, sqlite, postgres, mysql string }{
		{"varchar(100)", "VARCHAR(100)", "VARCHAR(100)", "VARCHAR(100)"},
		{"VARCHAR( 20 )", "VARCHAR(20)", "VARCHAR(20)", "VARCHAR(20)"},
		{"varchar", "VARCHAR(255)", "VARCHAR(255)", "VARCHAR(255)"},
		{"varchar(20000)", "VARCHAR(20000)", "VARCHAR(20000)", "TEXT"},
		{"char(2)", "CHAR(2)", "VARCHAR(2)", "CHAR(2)"},
		{"text", "TEXT", "TEXT", "TEXT"},
		{"tinytext", "TEXT", "TEXT", "TINYTEXT"},
		{"mediumtext", "TEXT", "TEXT", "MEDIUMTEXT"},
		{"longtext", "TEXT", "TEXT", "LONGTEXT"},
		{"int(11)", "INTEGER", "INTEGER", "INT"},
		{"int(4)", "INTEGER", "INTEGER", "INT"},
		{"integer", "INTEGER", "INTEGER", "INT"},
		{"int unsigned", "INTEGER", "INTEGER", "INT UNSIGNED"},
		{"tinyint(1)", "INTEGER", "INTEGER", "TINYINT"},
		{"smallint", "INTEGER", "INTEGER", "SMALLINT"},
		{"mediumint", "INTEGER", "INTEGER", "MEDIUMINT"},
		{"bigint", "INTEGER", "BIGINT", "BIGINT"},
		{"bigint(20) unsigned", "INTEGER", "BIGINT", "BIGINT UNSIGNED"},
		{"float(7,4)", "REAL", "DOUBLE PRECISION", "DOUBLE"},
		{"float", "REAL", "DOUBLE PRECISION", "DOUBLE"},
		{"double", "REAL", "DOUBLE PRECISION", "DOUBLE"},
		{"real", "REAL", "DOUBLE PRECISION", "DOUBLE"},
		{"decimal(10,2)", "NUMERIC", "NUMERIC(10,2)", "DECIMAL(10,2)"},
		{"numeric", "NUMERIC", "NUMERIC", "DECIMAL"},
		{"bool", "BOOLEAN", "BOOLEAN", "BOOLEAN"},
		{"boolean", "BOOLEAN", "BOOLEAN", "BOOLEAN"},
		{"timestamp", "TIMESTAMP", "TIMESTAMP", "DATETIME(6)"},
		{"datetime", "TIMESTAMP", "TIMESTAMP", "DATETIME(6)"},
		{"date", "DATE", "DATE", "DATE"},
		{"time", "TEXT", "TIME", "TIME"},
		{"blob", "BLOB", "BYTEA", "BLOB"},
		{"longblob", "BLOB", "BYTEA", "LONGBLOB"},
		{"binary(16)", "BLOB", "BYTEA", "BINARY(16)"},
		{"varbinary(64)", "BLOB", "BYTEA", "VARBINARY(64)"},
		{"json", "TEXT", "TEXT", "LONGTEXT"},
		{"JSON", "TEXT", "TEXT", "LONGTEXT"},
	}
	for _, c := range cases {
		for _, d := range []struct{ dialect, want string }{{"sqlite", c.sqlite}, {"postgres", c.postgres}, {"mysql", c.mysql}} {
			got, err := SQLType(dialect(t, d.dialect), c.in)
			if err != nil || got != d.want {
				t.Errorf("SQLType(%s, %q) = %q, %v; want %q", d.dialect, c.in, got, err, d.want)
			}
		}
	}
}

func TestSQLTypeRejects(t *testing.T) {
	t.Parallel()
	bad := []string{
		"", "   ", "varchar(10); drop table x", "text --", "int) ", "blob/*", "varchar(10)--",
		"int(11) primary key", "varchar(10) default 'x'", "nvarchar(10)", "varchar(a)", "varchar(-1)",
		"varchar(0)", "varchar(1,2)", "text(1,2)", "bool(1)", "json(2)", "varchar(10) unsigned",
		"decimal(2,5)", "decimal(100,2)", "timestamp(7)", "enum('a','b')", "int(123456789)",
		"int\x00", "in t", "varchar(10)\n; drop", "varchar(10),x", "serial",
	}
	for _, s := range bad {
		if got, err := SQLType(dialect(t, "sqlite"), s); err == nil {
			t.Errorf("SQLType(%q) = %q, want error", s, got)
		}
	}
	_, err := SQLType(dialect(t, "postgres"), "varchar(10); drop table x")
	if err == nil || !strings.Contains(err.Error(), "varchar(10); drop table x") {
		t.Errorf("error should name the type: %v", err)
	}
}

func TestSQLDefault(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind                    ValueKind
		in                      string
		sqlite, postgres, mysql string
	}{
		{KindString, "'draft'", "'draft'", "'draft'", "'draft'"},
		{KindString, "draft", "'draft'", "'draft'", "'draft'"},
		{KindString, "''", "''", "''", "''"},
		{KindString, "'it''s'", "'it''s'", "'it''s'", "'it''s'"},
		{KindString, "0", "'0'", "'0'", "'0'"},
		{KindString, "true", "'true'", "'true'", "'true'"},
		{KindString, "null", "NULL", "NULL", "NULL"},
		{KindString, "NULL", "NULL", "NULL", "NULL"},
		{KindJSON, "'{}'", "'{}'", "'{}'", "'{}'"},
		{KindInt, "1", "1", "1", "1"},
		{KindInt, "-5", "-5", "-5", "-5"},
		{KindInt, "'0'", "0", "0", "0"},
		{KindInt, "+7", "7", "7", "7"},
		{KindInt, "false", "0", "0", "0"},
		{KindFloat, "1.5", "1.5", "1.5", "1.5"},
		{KindFloat, "1e3", "1e3", "1e3", "1e3"},
		{KindBool, "true", "1", "TRUE", "TRUE"},
		{KindBool, "FALSE", "0", "FALSE", "FALSE"},
		{KindBool, "'1'", "1", "TRUE", "TRUE"},
		{KindBool, "0", "0", "FALSE", "FALSE"},
		{KindTime, "current_timestamp", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP(6)"},
		{KindTime, "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP(6)"},
		{KindTime, "'2024-03-05'", "'2024-03-05 00:00:00'", "'2024-03-05 00:00:00'", "'2024-03-05 00:00:00'"},
		{KindTime, "null", "NULL", "NULL", "NULL"},
	}
	for _, c := range cases {
		for _, d := range []struct{ dialect, want string }{{"sqlite", c.sqlite}, {"postgres", c.postgres}, {"mysql", c.mysql}} {
			got, err := SQLDefault(dialect(t, d.dialect), c.kind, c.in)
			if err != nil || got != d.want {
				t.Errorf("SQLDefault(%s, %v, %q) = %q, %v; want %q", d.dialect, c.kind, c.in, got, err, d.want)
			}
		}
	}
}

func TestSQLDefaultRejects(t *testing.T) {
	t.Parallel()
	bad := []struct {
		kind ValueKind
		in   string
	}{
		{KindString, ""},
		{KindString, "'x'; drop table t; --"},
		{KindString, "'a' || 'b'"},
		{KindString, "'abc"},
		{KindString, "'a'b'"},
		{KindString, "'a\\'"},
		{KindString, "'--'"},
		{KindString, "'/* x */'"},
		{KindString, "'a;b'"},
		{KindString, "'line\nbreak'"},
		{KindString, "draft; drop table x"},
		{KindString, "two words"},
		{KindString, "now()"},
		{KindString, "current_timestamp"},
		{KindString, "x -- y"},
		{KindString, "(select 1)"},
		{KindInt, "abc"},
		{KindInt, "1.5"},
		{KindInt, "1; drop table x"},
		{KindInt, "0x10"},
		{KindInt, "'1'); drop table x; --"},
		{KindFloat, "1e5000x"},
		{KindBool, "yes please"},
		{KindBool, "2"},
		{KindTime, "now()"},
		{KindTime, "'not a date'"},
		{KindTime, "2024-01-01"},
		{KindTime, "current_timestamp()"},
	}
	for _, c := range bad {
		if got, err := SQLDefault(dialect(t, "postgres"), c.kind, c.in); err == nil {
			t.Errorf("SQLDefault(%v, %q) = %q, want error", c.kind, c.in, got)
		}
	}
}

func hasSQLComment(s string) bool {
	return strings.Contains(s, ";") || strings.Contains(s, "--") || strings.Contains(s, "/*")
}

func FuzzSQLType(f *testing.F) {
	for _, s := range []string{"varchar(10)", "int(11) unsigned", "float(7,4)", "varchar(10); drop table x", "text --", "int) ", "blob/*", "JSON"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range []string{"sqlite", "postgres", "mysql"} {
			out, err := SQLType(dialect(t, name), s)
			if err == nil && (hasSQLComment(out) || out == "") {
				t.Fatalf("SQLType(%s, %q) = %q", name, s, out)
			}
		}
	})
}

func FuzzSQLDefault(f *testing.F) {
	for _, s := range []string{"'draft'", "draft", "0", "true", "null", "current_timestamp", "'a''b'", "'x'; --", "'2024-01-01'", "1.5e3"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		kind := ValueKind(k % 7)
		for _, name := range []string{"sqlite", "postgres", "mysql"} {
			out, err := SQLDefault(dialect(t, name), kind, s)
			if err != nil {
				continue
			}
			if hasSQLComment(out) || strings.Contains(out, "\\") || out == "" {
				t.Fatalf("SQLDefault(%s, %v, %q) = %q", name, kind, s, out)
			}
			if strings.HasPrefix(out, "'") {
				inner := out[1 : len(out)-1]
				if !strings.HasSuffix(out, "'") || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
					t.Fatalf("SQLDefault(%s, %v, %q) = %q: broken quoting", name, kind, s, out)
				}
			}
		}
	})
}

// dialect is the storage/db dialect named name: the column type and
// DEFAULT spellings are the database's.
func dialect(t testing.TB, name string) db.Dialect {
	t.Helper()
	d, err := db.DialectFor(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
