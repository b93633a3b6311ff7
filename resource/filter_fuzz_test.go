package resource

import (
	"strings"
	"testing"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// fuzzSchema is a table with a column of every kind the filters treat
// differently: text, number, boolean, date, a foreign key (belongs_to) and
// the reference id.
const fuzzSchema = `
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label}
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200)}
      - {Name: priority, ColumnType: measurement, DataType: int(11)}
      - {Name: done, ColumnType: truefalse}
      - {Name: due, ColumnType: date, IsNullable: true}
      - {Name: score, ColumnType: float, IsNullable: true}
      - {Name: notes, ColumnType: content, IsNullable: true}
Relations:
  - {Subject: todo, Relation: belongs_to, Object: project}
`

// fuzzWhere returns where-builders for the todo table in every dialect.
func fuzzWhere(f *testing.F) func() []*where {
	f.Helper()
	file, err := schema.Parse("schema_fuzz.yaml", []byte(fuzzSchema))
	if err != nil {
		f.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_fuzz.yaml", File: file})
	if err != nil {
		f.Fatal(err)
	}
	t, ok := sc.Table("todo")
	if !ok {
		f.Fatal("no todo table")
	}
	var views []*view
	var dialects []db.Dialect
	for _, name := range []string{"sqlite3", "postgres", "mysql"} {
		d, err := db.DialectFor(name)
		if err != nil {
			f.Fatal(err)
		}
		dialects = append(dialects, d)
		views = append(views, buildView(d, t))
	}
	return func() []*where {
		out := make([]*where, len(views))
		for i := range views {
			out[i] = &where{d: dialects[i], v: views[i]}
		}
		return out
	}
}

// checkPlaceholders: every bound argument has exactly one placeholder, so
// no value was spliced into the SQL text.
func checkPlaceholders(t *testing.T, w *where, input string) {
	t.Helper()
	text, args := finish(w.d, strings.Join(w.sql, " AND "), w.args)
	if n := strings.Count(text, "?"); n != len(args) {
		t.Fatalf("%s: %d placeholders for %d args in %q (input %q)", w.d.Name(), n, len(args), text, input)
	}
}

// FuzzParseConditions feeds the query= JSON filter through the parser and
// the where-builder of all three dialects: no panic, and the SQL text holds
// one placeholder per argument.
func FuzzParseConditions(f *testing.F) {
	for _, seed := range []string{
		``, `[]`, `{}`, `null`, `[null]`, `[{}]`,
		`[{"column":"title","operator":"is","value":"buy milk"}]`,
		`[{"column":"priority","operator":"gt","value":2},{"column":"done","operator":"is false"}]`,
		`[{"column":"title","operator":"like","value":"%milk%"}]`,
		`[{"column":"title","operator":"ilike","value":"MILK"}]`,
		`[{"column":"priority","operator":"in","value":[1,2,3]}]`,
		`[{"column":"priority","operator":"not in","value":"1, 2,3"}]`,
		`[{"column":"priority","operator":"in","value":[]}]`,
		`[{"column":"due","operator":"before","value":"2026-01-01"}]`,
		`[{"column":"due","operator":"is null"}]`,
		`[{"column":"score","operator":">=","value":1.5e300}]`,
		`[{"column":"title,notes","operator":"fuzzy_all","value":"milk  bread"}]`,
		`[{"column":"title","operator":"fuzzy","value":""}]`,
		`[{"column":"project_id","operator":"is","value":"8c3a4b0e-6d1f-4f38-9a51-1f2d3c4b5a69"}]`,
		`[{"column":"reference_id","operator":"in","value":["8c3a4b0e-6d1f-4f38-9a51-1f2d3c4b5a69","x"]}]`,
		`[{"column":"title","operator":"is","value":"a","logical_group":"g"},{"column":"title","operator":"is","value":"b","logical_group":"g"}]`,
		`[{"column":"title","operator":"is","value":null}]`,
		`[{"column":"title","operator":"neq","value":{"a":[1]}}]`,
		`[{"column":"title' OR 1=1 --","operator":"is","value":1}]`,
		`[{"column":"title","operator":"is; DROP TABLE todo","value":1}]`,
		`[{"column":"done","operator":"is true"},{"column":"done","operator":"not false"}]`,
		`[{"column":"priority","operator":"lt","value":"9223372036854775808"}]`,
		`[{"column":"id","operator":"is","value":1}]`,
	} {
		f.Add(seed)
	}
	wheres := fuzzWhere(f)
	f.Fuzz(func(t *testing.T, text string) {
		conds, err := ParseConditions(text)
		if err != nil {
			return
		}
		for _, w := range wheres() {
			if err := w.conditions(conds); err != nil {
				continue
			}
			checkPlaceholders(t, w, text)
		}
	})
}

// FuzzParseSort feeds sort= values through the parser and ORDER BY: no
// panic, and only schema column names reach the SQL.
func FuzzParseSort(f *testing.F) {
	for _, seed := range []string{
		``, `,`, `-`, `+`, `title`, `-title`, `+priority,-due`, ` title , -done `, `-,+`,
		`project_id`, `reference_id`, `id`, `title;drop table todo`, `-title desc`, "t\u00e9tle", `--title`,
	} {
		f.Add(seed)
	}
	wheres := fuzzWhere(f)
	f.Fuzz(func(t *testing.T, text string) {
		keys := ParseSort(text)
		for _, w := range wheres() {
			order, err := w.orderBy(keys)
			if err != nil {
				continue
			}
			if strings.ContainsAny(order, ";'?") {
				t.Fatalf("%s: ORDER BY %q from %q", w.d.Name(), order, text)
			}
		}
	})
}
