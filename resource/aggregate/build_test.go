package aggregate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

const buildSchema = `
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: item
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11)}
      - {Name: price, ColumnType: float}
      - {Name: done, ColumnType: truefalse}
      - {Name: secret, ColumnType: password}
Relations:
  - {Subject: item, Relation: belongs_to, Object: project}
`

// fakeHost is the resource layer reduced to what the compiler asks: every
// table but "closed" passes the gate, and reads are restricted (a
// predicate on permission) unless open is set.
type fakeHost struct {
	d    db.Dialect
	open bool
}

func (h fakeHost) Dialect() db.Dialect { return h.d }

func (h fakeHost) Gate(_ context.Context, t *schema.Table) error {
	if t.TableName == "closed" || t.TableName == "world" {
		return errors.New("gate")
	}
	return nil
}

func (h fakeHost) Column(t *schema.Table, name string) (*Column, bool) {
	col, ok := t.Column(name)
	if !ok {
		return nil, false
	}
	ct, _ := schema.LookupType(col.ColumnType)
	c := &Column{Col: col, Kind: sqlval.KindOf(col.DataType), Secret: ct.Secret,
		API: !col.ExcludeFromApi && name != schema.ColID && name != schema.ColVersion}
	if col.IsForeignKey && col.ForeignKeyData.DataSource == "self" {
		c.FK = col.ForeignKeyData.Namespace
	}
	return c, true
}

func (h fakeHost) ReadPredicate(context.Context, *schema.Table) (string, []any) {
	if h.open {
		return "", nil
	}
	return "(t.permission & ?) <> 0", []any{int64(2)}
}

func (h fakeHost) FilterArg(_ *schema.Table, c *Column, v any) (any, error) {
	if c.FK != "" {
		return sqlval.SubqueryArg{Table: c.FK, Ref: []byte(fmt.Sprint(v))}, nil
	}
	norm, err := schema.NormalizeValue(c.Col, v)
	if err != nil {
		return nil, &Error{Detail: err.Error()}
	}
	a, err := sqlval.ToDB(c.Kind, norm)
	if err != nil {
		return nil, &Error{Detail: err.Error()}
	}
	return a, nil
}

func (h fakeHost) Query(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errors.New("not in unit tests")
}

var _ Host = fakeHost{}

func compileSchema(t *testing.T) *schema.Schema {
	t.Helper()
	f, err := schema.Parse("agg.yaml", []byte(buildSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "agg.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func build(t *testing.T, dialect string, open bool, q Query) (string, []any, error) {
	t.Helper()
	d, err := db.DialectFor(dialect)
	if err != nil {
		t.Fatal(err)
	}
	sc := compileSchema(t)
	item, _ := sc.Table("item")
	st, err := Build(context.Background(), fakeHost{d: d, open: open}, sc, item, q)
	if err != nil {
		return "", nil, err
	}
	sqlText, args := st.SQL()
	return sqlText, args, nil
}

func TestBuildSQL(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		dialect string
		open    bool
		q       Query
		sql     string
		args    string
	}{
		{"bare count", "sqlite", true, Query{},
			`SELECT COUNT(*) FROM "item" t LIMIT 10000`, "[]"},
		{"count restricted", "postgres", false, Query{Columns: []string{"count"}},
			`SELECT COUNT(*) FROM "item" t WHERE (t.permission & ?) <> 0 LIMIT 10000`, "[2]"},
		{"group and order", "sqlite", true, Query{Columns: []string{"priority,count"}, Groups: []string{"priority"}, Orders: []string{"-count"}},
			`SELECT t."priority", COUNT(*) FROM "item" t GROUP BY 1 ORDER BY 2 DESC LIMIT 10000`, "[]"},
		{"sqlite grouping off the index when rows are filtered", "sqlite", false, Query{Columns: []string{"title,count"}, Groups: []string{"title"}},
			`SELECT t."title", COUNT(*) FROM "item" t WHERE (t.permission & ?) <> 0 GROUP BY +t."title" LIMIT 10000`, "[2]"},
		{"mysql hint instead", "mysql", false, Query{Columns: []string{"title,count"}, Groups: []string{"title"}},
			"SELECT t.`title`, COUNT(*) FROM `item` t USE INDEX FOR GROUP BY () WHERE (t.permission & ?) <> 0 GROUP BY 1 LIMIT 10000", "[2]"},
		{"filters bind typed values", "sqlite", true, Query{Columns: []string{"sum(priority) as total"}, Filters: []string{"gte(priority,3)", "in(title,'a','b')", "is(done,true)"}},
			`SELECT SUM(t."priority") FROM "item" t WHERE t."priority" >= ? AND t."title" IN (?, ?) AND t."done" = ? LIMIT 10000`, "[3 a b true]"},
		{"having", "postgres", true, Query{Columns: []string{"title,count"}, Groups: []string{"title"}, Having: []string{"gt(count,1)"}},
			`SELECT t."title", COUNT(*) FROM "item" t GROUP BY 1 HAVING COUNT(*) > ? LIMIT 10000`, "[1]"},
		{"null comparisons", "sqlite", true, Query{Filters: []string{"eq(title,null)", "not(priority,null)", "is(price,null)"}},
			`SELECT COUNT(*) FROM "item" t WHERE t."title" IS NULL AND t."priority" IS NOT NULL AND t."price" IS NULL LIMIT 10000`, "[]"},
		{"avg of a boolean", "mysql", true, Query{Columns: []string{"avg(done)"}},
			"SELECT AVG(CASE WHEN t.`done` IS NULL THEN NULL WHEN t.`done` THEN 1 ELSE 0 END) FROM `item` t LIMIT 10000", "[]"},
		{"join with the joined table's predicate", "sqlite", false, Query{Columns: []string{"project.name,count"}, Groups: []string{"project.name"},
			Joins: []string{"project@eq(item.project_id,project.reference_id)"}},
			`SELECT j1."name", COUNT(*) FROM "item" t LEFT JOIN (SELECT * FROM "project" t WHERE (t.permission & ?) <> 0) j1 ON t."project_id" = j1."id" WHERE (t.permission & ?) <> 0 GROUP BY 1 LIMIT 10000`, "[2 2]"},
		{"first resolves later by row id", "sqlite", true, Query{Columns: []string{"priority,first(title)"}, Groups: []string{"priority"}},
			`SELECT t."priority", MIN(t."id") FROM "item" t GROUP BY 1 LIMIT 10000`, "[]"},
		{"time window and sample", "postgres", true, Query{TimeSample: "month", TimeFrom: "2024-01-01T00:00:00Z", TimeTo: "2025-01-01T00:00:00Z"},
			`SELECT COUNT(*), DATE_TRUNC('month', t."created_at") FROM "item" t WHERE t."created_at" >= ? AND t."created_at" < ? GROUP BY 2 LIMIT 10000`, "[2024-01-01 00:00:00 +0000 UTC 2025-01-01 00:00:00 +0000 UTC]"},
		{"foreign key filter by reference", "sqlite", true, Query{Filters: []string{"eq(project_id,project@0190f0b2-7c3e-7000-8000-000000000000)"}},
			`SELECT COUNT(*) FROM "item" t WHERE t."project_id" = (SELECT "id" FROM "project" WHERE "reference_id" = ?) LIMIT 10000`, ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			sqlText, args, err := build(t, s.dialect, s.open, s.q)
			if err != nil {
				t.Fatal(err)
			}
			if sqlText != s.sql {
				t.Errorf("sql\n got %s\nwant %s", sqlText, s.sql)
			}
			if s.args != "" && fmt.Sprint(args) != s.args {
				t.Errorf("args = %v, want %s", args, s.args)
			}
		})
	}
}

func TestBuildRefuses(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		q      Query
		detail string
	}{
		{"unknown column", Query{Columns: []string{"nope"}}, `table "item" has no column "nope"`},
		{"secret column", Query{Columns: []string{"count(secret)"}}, `column "secret" holds secrets`},
		{"ungrouped column", Query{Columns: []string{"title,count"}}, "title must be in group or inside an aggregate function"},
		{"nested aggregate", Query{Columns: []string{"sum(max(priority))"}}, "cannot be nested"},
		{"sum of text", Query{Columns: []string{"sum(title)"}}, "sum needs a numeric column"},
		{"aggregate in filter", Query{Filters: []string{"gt(count,1)"}}, "filter cannot use aggregates"},
		{"having on a plain column", Query{Having: []string{"gt(priority,1)"}}, "having needs an aggregate or a grouped column"},
		{"not joined", Query{Columns: []string{"project.name"}}, `table "project" is not joined`},
		{"join of a closed table", Query{Joins: []string{"closed@eq(item.id,closed.id)"}}, `join: no table "closed"`},
		{"join twice", Query{Joins: []string{"item@eq(item.id,item.id)"}}, `join: "item" is already part of the query`},
		{"bad time sample", Query{TimeSample: "fortnight"}, "timesample must be hour, day, week, month or year"},
		{"time column not a time", Query{TimeSample: "day", TimeColumn: "title"}, `timecolumn "title" is not a date or time column`},
		{"value does not fit", Query{Filters: []string{"eq(priority,'high')"}}, `high`},
		{"null in lt", Query{Filters: []string{"lt(priority,null)"}}, "lt cannot compare with null"},
		{"order by first", Query{Columns: []string{"priority,first(title)"}, Groups: []string{"priority"}, Orders: []string{"first(title)"}}, "cannot order by first() or last()"},
		{"duplicate alias", Query{Columns: []string{"count as n,sum(priority) as n"}}, `two columns are named "n"`},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, _, err := build(t, "sqlite", true, s.q)
			var ae *Error
			if !errors.As(err, &ae) || !strings.Contains(ae.Detail, s.detail) {
				t.Fatalf("err = %v, want an aggregate.Error with %q", err, s.detail)
			}
		})
	}
}

func TestBuildPassesGateErrorsThrough(t *testing.T) {
	t.Parallel()
	_, _, err := build(t, "sqlite", true, Query{Joins: []string{"world@eq(item.id,world.id)"}})
	var ae *Error
	if err == nil || errors.As(err, &ae) || err.Error() != "gate" {
		t.Fatalf("err = %v, want the host's gate error unchanged", err)
	}
}
