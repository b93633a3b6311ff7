package aggregate

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apiary/apiary/storage/db"
)

// TestFunctionsPerDialect: every function of the query language as each
// database spells it, and the kind its value is shown as.
func TestFunctionsPerDialect(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		expr                    string
		sqlite, postgres, mysql string
		kind                    outKind
	}{
		{"upper(title)", `UPPER(t."title")`, `UPPER(t."title")`, "UPPER(t.`title`)", outString},
		{"length(title)", `LENGTH(t."title")`, `LENGTH(t."title")`, "CHAR_LENGTH(t.`title`)", outInt},
		{"trim(title)", `TRIM(t."title")`, `TRIM(t."title")`, "TRIM(t.`title`)", outString},
		{"trim(title,'x')", `TRIM(t."title", ?)`, `BTRIM(t."title", ?)`, "", outString},
		{"substr(title,1,3)", `SUBSTR(t."title", ?, ?)`, `SUBSTR(t."title", ?, ?)`, "SUBSTR(t.`title`, ?, ?)", outString},
		{"replace(title,'a','b')", `REPLACE(t."title", ?, ?)`, `REPLACE(t."title", ?, ?)`, "REPLACE(t.`title`, ?, ?)", outString},
		{"hex(title)", `HEX(t."title")`, `UPPER(ENCODE(CONVERT_TO(t."title", 'UTF8'), 'hex'))`, "HEX(t.`title`)", outString},
		{"hex(reference_id)", `HEX(t."reference_id")`, `UPPER(ENCODE((t."reference_id"), 'hex'))`, "HEX(t.`reference_id`)", outString},
		{"abs(priority)", `ABS(t."priority")`, `ABS(t."priority")`, "ABS(t.`priority`)", outInt},
		{"round(price,2)", `ROUND(t."price", ?)`, `ROUND(CAST(t."price" AS NUMERIC), ?)`, "ROUND(t.`price`, ?)", outFloat},
		{"coalesce(title,'none')", `COALESCE(t."title", ?)`, `COALESCE(t."title", ?)`, "COALESCE(t.`title`, ?)", outString},
		{"ifnull(price,0)", `IFNULL(t."price", ?)`, `COALESCE(t."price", ?)`, "IFNULL(t.`price`, ?)", outFloat},
		{"nullif(priority,0)", `NULLIF(t."priority", ?)`, `NULLIF(t."priority", ?)`, "NULLIF(t.`priority`, ?)", outInt},
		{"date(created_at)", `DATE(t."created_at")`, `CAST(t."created_at" AS DATE)`, "DATE(t.`created_at`)", outDate},
		{"year(created_at)", `CAST(STRFTIME('%Y', t."created_at") AS INTEGER)`, `EXTRACT(YEAR FROM t."created_at")`, "EXTRACT(YEAR FROM t.`created_at`)", outInt},
		{"day(created_at)", `CAST(STRFTIME('%d', t."created_at") AS INTEGER)`, `EXTRACT(DAY FROM t."created_at")`, "EXTRACT(DAY FROM t.`created_at`)", outInt},
		{"time(created_at)", `TIME(t."created_at")`, `TO_CHAR(t."created_at", 'HH24:MI:SS')`, "DATE_FORMAT(t.`created_at`, '%H:%i:%s')", outString},
		{"datetime(created_at)", `DATETIME(t."created_at")`, `DATE_TRUNC('second', t."created_at")`, "CAST(t.`created_at` AS DATETIME)", outTime},
		{"julianday(created_at)", `JULIANDAY(t."created_at")`, `(EXTRACT(EPOCH FROM t."created_at") / 86400.0 + 2440587.5)`,
			"(TO_DAYS(t.`created_at`) + TIME_TO_SEC(t.`created_at`) / 86400 + 1721059.5)", outFloat},
		{"strftime('%Y-%m',created_at)", `STRFTIME(?, t."created_at")`, `TO_CHAR(t."created_at", ?)`, "DATE_FORMAT(t.`created_at`, ?)", outString},
		{"min(done)", `MIN(CASE WHEN t."done" IS NULL THEN NULL WHEN t."done" THEN 1 ELSE 0 END)`,
			`MIN(CASE WHEN t."done" IS NULL THEN NULL WHEN t."done" THEN 1 ELSE 0 END)`, "MIN(CASE WHEN t.`done` IS NULL THEN NULL WHEN t.`done` THEN 1 ELSE 0 END)", outInt},
		{"max(project_id)", `MAX(t."project_id")`, `MAX(t."project_id")`, "MAX(t.`project_id`)", outFK},
		{"count(title)", `COUNT(t."title")`, `COUNT(t."title")`, "COUNT(t.`title`)", outInt},
		{"avg(priority)", `AVG(t."priority")`, `AVG(t."priority")`, "AVG(t.`priority`)", outFloat},
		{"sum(priority)", `SUM(t."priority")`, `SUM(t."priority")`, "SUM(t.`priority`)", outInt},
		{"sum(price)", `SUM(t."price")`, `SUM(t."price")`, "SUM(t.`price`)", outFloat},
	}
	for _, s := range scenarios {
		for _, dw := range []struct{ name, want string }{{"sqlite", s.sqlite}, {"postgres", s.postgres}, {"mysql", s.mysql}} {
			t.Run(s.expr+"/"+dw.name, func(t *testing.T) {
				b, err := builder(t, dw.name, Query{Columns: []string{s.expr}})
				if dw.want == "" {
					var ae *Error
					if !errors.As(err, &ae) || !strings.Contains(ae.Detail, "not available on "+dw.name) {
						t.Fatalf("err = %v, want not available on %s", err, dw.name)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := b.projs[0].c.sql; got != dw.want {
					t.Errorf("sql\n got %s\nwant %s", got, dw.want)
				}
				if got := b.projs[0].c.kind; got != s.kind {
					t.Errorf("kind = %v, want %v", got, s.kind)
				}
			})
		}
	}
}

func TestFunctionArgumentsRefused(t *testing.T) {
	t.Parallel()
	scenarios := map[string]string{
		"upper('x')":                 "upper needs a column argument",
		"year(title)":                "year needs a date or time column",
		"strftime(created_at,title)": "strftime takes a quoted format first",
		"strftime('%Y',title)":       "strftime needs a date or time column",
		"strftime('%Q',created_at)":  "",
		"round(title)":               "round needs a numeric argument",
		"round(price,1.5)":           "round takes a whole number of digits",
		"substr(title,'a')":          "substr takes whole-number positions",
		"count(*)":                   "-",
		"sum(*)":                     "* is only allowed in count(*)",
		"first(project.name)":        `table "project" is not joined`,
		"avg(title)":                 "avg needs a numeric column",
	}
	for expr, detail := range scenarios {
		t.Run(expr, func(t *testing.T) {
			_, err := builder(t, "postgres", Query{Columns: []string{expr}})
			switch detail {
			case "-":
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			case "":
				if err == nil {
					t.Fatal("accepted a format the database cannot express")
				}
				return
			}
			var ae *Error
			if !errors.As(err, &ae) || !strings.Contains(ae.Detail, detail) {
				t.Fatalf("err = %v, want %q", err, detail)
			}
		})
	}
}

// builder compiles q over item without running it and returns the builder.
func builder(t *testing.T, dialect string, q Query) (*aggBuilder, error) {
	t.Helper()
	d, err := db.DialectFor(dialect)
	if err != nil {
		t.Fatal(err)
	}
	sc := compileSchema(t)
	item, _ := sc.Table("item")
	st, err := Build(context.Background(), fakeHost{d: d, open: true}, sc, item, q)
	if err != nil {
		return nil, err
	}
	return st.b, nil
}
