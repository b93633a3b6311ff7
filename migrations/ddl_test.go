package migrations

import (
	"strings"
	"testing"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// TestColumnDef: one column definition per dialect, on CREATE TABLE and on
// ADD COLUMN (where NOT NULL needs a constant default, and MySQL takes no
// default on TEXT).
func TestColumnDef(t *testing.T) {
	t.Parallel()
	label := schema.Column{ColumnName: "title", ColumnType: "label", DataType: "varchar(200)"}
	draft := schema.Column{ColumnName: "title", ColumnType: "label", DataType: "varchar(200)", IsNullable: true, DefaultValue: "draft"}
	done := schema.Column{ColumnName: "done", ColumnType: "truefalse", DataType: "bool", DefaultValue: "false"}
	at := schema.Column{ColumnName: "at", ColumnType: "datetime", DataType: "timestamp"}
	now := schema.Column{ColumnName: "at", ColumnType: "datetime", DataType: "timestamp", DefaultValue: "current_timestamp"}
	body := schema.Column{ColumnName: "body", ColumnType: "content", DataType: "text", DefaultValue: "'x'"}
	id := schema.Column{ColumnName: "id", ColumnType: "id", DataType: "int(11)", IsPrimaryKey: true, IsAutoIncrement: true}
	scenarios := []struct {
		name                    string
		col                     schema.Column
		adding                  bool
		sqlite, postgres, mysql string
	}{
		{"not null", label, false, `"title" VARCHAR(200) NOT NULL`, `"title" VARCHAR(200) NOT NULL`, "`title` VARCHAR(200) NOT NULL"},
		{"added without default stays nullable", label, true, `"title" VARCHAR(200)`, `"title" VARCHAR(200)`, "`title` VARCHAR(200)"},
		{"word default", draft, false, `"title" VARCHAR(200) DEFAULT 'draft'`, `"title" VARCHAR(200) DEFAULT 'draft'`, "`title` VARCHAR(200) DEFAULT 'draft'"},
		{"boolean default", done, true, `"done" BOOLEAN NOT NULL DEFAULT 0`, `"done" BOOLEAN NOT NULL DEFAULT FALSE`, "`done` BOOLEAN NOT NULL DEFAULT FALSE"},
		{"timestamp without default is nullable", at, false, `"at" TIMESTAMP`, `"at" TIMESTAMP`, "`at` DATETIME(6)"},
		{"current_timestamp", now, false, `"at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`, `"at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`,
			"`at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"},
		{"current_timestamp added", now, true, `"at" TIMESTAMP`, `"at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`,
			"`at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"},
		{"text default", body, false, `"body" TEXT NOT NULL DEFAULT 'x'`, `"body" TEXT NOT NULL DEFAULT 'x'`, "`body` TEXT NOT NULL"},
		{"text default added", body, true, `"body" TEXT NOT NULL DEFAULT 'x'`, `"body" TEXT NOT NULL DEFAULT 'x'`, "`body` TEXT"},
		{"auto-increment key", id, false, `"id" INTEGER PRIMARY KEY AUTOINCREMENT`, `"id" BIGSERIAL PRIMARY KEY`, "`id` BIGINT AUTO_INCREMENT PRIMARY KEY"},
	}
	for _, s := range scenarios {
		for _, dw := range []struct{ name, want string }{{"sqlite", s.sqlite}, {"postgres", s.postgres}, {"mysql", s.mysql}} {
			t.Run(s.name+"/"+dw.name, func(t *testing.T) {
				d, err := db.DialectFor(dw.name)
				if err != nil {
					t.Fatal(err)
				}
				got, err := columnDef(d, s.col, s.adding)
				if err != nil || got != dw.want {
					t.Fatalf("columnDef = %q, %v; want %q", got, err, dw.want)
				}
			})
		}
	}
}

func TestColumnDefRefusesBadTypesAndDefaults(t *testing.T) {
	t.Parallel()
	d, err := db.DialectFor("postgres")
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []schema.Column{
		{ColumnName: "x", ColumnType: "label", DataType: "varchar(10); drop table t"},
		{ColumnName: "x", ColumnType: "measurement", DataType: "int(11)", DefaultValue: "ten"},
		{ColumnName: "x", ColumnType: "datetime", DataType: "timestamp", DefaultValue: "2024-01-01"},
	} {
		if got, err := columnDef(d, col, false); err == nil || !strings.Contains(err.Error(), "column x") {
			t.Errorf("columnDef(%+v) = %q, %v; want an error naming the column", col, got, err)
		}
	}
}

func TestIndexName(t *testing.T) {
	t.Parallel()
	if got := indexName("idx", "t", "c"); got != "idx_t_c" {
		t.Errorf("short name = %q", got)
	}
	long := indexName("idx", "a_very_long_table_name_that_goes_on_and_on", "and_a_long_column_name")
	other := indexName("idx", "a_very_long_table_name_that_goes_on_and_on", "and_a_long_column_name_2")
	if len(long) != 59 || !strings.HasPrefix(long, "idx_a_very_long_table_name_that_goes_on_and_on_and_") || long == other {
		t.Errorf("long names %q and %q: want 59 bytes, the prefix kept, distinct hashes", long, other)
	}
}
