package db

import "testing"

func TestColumnType(t *testing.T) {
	ds := dialects(t)
	cases := []struct {
		dialect, base string
		n, m          int
		unsigned      bool
		want          string
	}{
		{"sqlite", "smallint", -1, -1, true, "INTEGER"},
		{"sqlite", "varchar", -1, -1, false, "VARCHAR(255)"},
		{"sqlite", "varchar", 40, -1, false, "VARCHAR(40)"},
		{"sqlite", "char", 2, -1, false, "CHAR(2)"},
		{"sqlite", "time", -1, -1, false, "TEXT"},
		{"sqlite", "json", -1, -1, false, "TEXT"},
		{"sqlite", "decimal", 10, 2, false, "NUMERIC"},
		{"sqlite", "double", -1, -1, false, "REAL"},
		{"sqlite", "boolean", -1, -1, false, "BOOLEAN"},
		{"sqlite", "datetime", -1, -1, false, "TIMESTAMP"},
		{"sqlite", "date", -1, -1, false, "DATE"},
		{"sqlite", "blob", -1, -1, false, "BLOB"},

		{"postgres", "bigint", -1, -1, true, "BIGINT"},
		{"postgres", "tinyint", -1, -1, false, "INTEGER"},
		{"postgres", "char", 3, -1, false, "VARCHAR(3)"},
		{"postgres", "varchar", 0, -1, false, "VARCHAR(255)"},
		{"postgres", "longtext", -1, -1, false, "TEXT"},
		{"postgres", "numeric", 10, 2, false, "NUMERIC(10,2)"},
		{"postgres", "decimal", 8, -1, false, "NUMERIC(8)"},
		{"postgres", "decimal", -1, -1, false, "NUMERIC"},
		{"postgres", "float", -1, -1, false, "DOUBLE PRECISION"},
		{"postgres", "bool", -1, -1, false, "BOOLEAN"},
		{"postgres", "timestamp", -1, -1, false, "TIMESTAMP"},
		{"postgres", "time", -1, -1, false, "TIME"},
		{"postgres", "varbinary", 16, -1, false, "BYTEA"},

		{"mysql", "integer", -1, -1, false, "INT"},
		{"mysql", "mediumint", -1, -1, true, "MEDIUMINT UNSIGNED"},
		{"mysql", "varchar", 100, -1, false, "VARCHAR(100)"},
		{"mysql", "varchar", 20000, -1, false, "TEXT"},
		{"mysql", "char", 300, -1, false, "VARCHAR(300)"},
		{"mysql", "char", -1, -1, false, "CHAR(255)"},
		{"mysql", "mediumblob", -1, -1, false, "MEDIUMBLOB"},
		{"mysql", "binary", -1, -1, false, "BINARY(255)"},
		{"mysql", "binary", 300, -1, false, "BLOB"},
		{"mysql", "varbinary", 300, -1, false, "VARBINARY(300)"},
		{"mysql", "real", -1, -1, false, "DOUBLE"},
		{"mysql", "decimal", 12, 4, false, "DECIMAL(12,4)"},
		{"mysql", "boolean", -1, -1, false, "BOOLEAN"},
		{"mysql", "datetime", -1, -1, false, "DATETIME(6)"},
		{"mysql", "date", -1, -1, false, "DATE"},
		{"mysql", "time", -1, -1, false, "TIME"},
		{"mysql", "json", -1, -1, false, "LONGTEXT"},
	}
	for _, c := range cases {
		if got := ds[c.dialect].ColumnType(c.base, c.n, c.m, c.unsigned); got != c.want {
			t.Errorf("%s ColumnType(%q, %d, %d, %v) = %q, want %q", c.dialect, c.base, c.n, c.m, c.unsigned, got, c.want)
		}
	}
}

func TestBoolLiteralAndCurrentTimestamp(t *testing.T) {
	ds := dialects(t)
	cases := []struct{ dialect, yes, no, now string }{
		{"sqlite", "1", "0", "CURRENT_TIMESTAMP"},
		{"postgres", "TRUE", "FALSE", "CURRENT_TIMESTAMP"},
		{"mysql", "TRUE", "FALSE", "CURRENT_TIMESTAMP(6)"},
	}
	for _, c := range cases {
		d := ds[c.dialect]
		if got := d.BoolLiteral(true); got != c.yes {
			t.Errorf("%s BoolLiteral(true) = %q, want %q", c.dialect, got, c.yes)
		}
		if got := d.BoolLiteral(false); got != c.no {
			t.Errorf("%s BoolLiteral(false) = %q, want %q", c.dialect, got, c.no)
		}
		if got := d.CurrentTimestamp(); got != c.now {
			t.Errorf("%s CurrentTimestamp() = %q, want %q", c.dialect, got, c.now)
		}
	}
}
