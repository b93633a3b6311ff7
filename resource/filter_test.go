package resource

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// whereFor is a where-builder over fuzzSchema's todo table in dialect.
func whereFor(t *testing.T, dialect string) *where {
	t.Helper()
	file, err := schema.Parse("filter.yaml", []byte(fuzzSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "filter.yaml", File: file})
	if err != nil {
		t.Fatal(err)
	}
	todo, _ := sc.Table("todo")
	d, err := db.DialectFor(dialect)
	if err != nil {
		t.Fatal(err)
	}
	return &where{d: d, v: buildView(d, todo)}
}

func TestConditionOperators(t *testing.T) {
	t.Parallel()
	ref := "0190f0b2-7c3e-7000-8000-000000000000"
	refB, _ := refBytes(ref)
	scenarios := []struct {
		name string
		c    Condition
		sql  string
		args []any
	}{
		{"eq", Condition{Column: "priority", Operator: "eq", Value: 3.0}, `t."priority" = ?`, []any{int64(3)}},
		{"alias is", Condition{Column: "priority", Operator: "is", Value: "3"}, `t."priority" = ?`, []any{int64(3)}},
		{"neq", Condition{Column: "title", Operator: "!=", Value: "x"}, `t."title" <> ?`, []any{"x"}},
		{"lt words", Condition{Column: "priority", Operator: "less than", Value: 2.0}, `t."priority" < ?`, []any{int64(2)}},
		{"gte", Condition{Column: "score", Operator: ">=", Value: 1.5}, `t."score" >= ?`, []any{1.5}},
		{"after", Condition{Column: "priority", Operator: "after", Value: 1.0}, `t."priority" > ?`, []any{int64(1)}},
		{"eq null", Condition{Column: "due", Operator: "eq", Value: nil}, `t."due" IS NULL`, nil},
		{"not null", Condition{Column: "due", Operator: "not", Value: nil}, `t."due" IS NOT NULL`, nil},
		{"in list", Condition{Column: "priority", Operator: "in", Value: []any{1.0, 2.0}}, `t."priority" IN (?, ?)`, []any{int64(1), int64(2)}},
		{"in text list", Condition{Column: "title", Operator: "any of", Value: "a, b"}, `t."title" IN (?, ?)`, []any{"a", "b"}},
		{"in nothing", Condition{Column: "title", Operator: "in", Value: []any{}}, `1 = 0`, nil},
		{"not in nothing", Condition{Column: "title", Operator: "none of", Value: []any{}}, `1 = 1`, nil},
		{"like", Condition{Column: "title", Operator: "contains", Value: "%a%"}, `t."title" LIKE ?`, []any{"%a%"}},
		{"ilike", Condition{Column: "title", Operator: "ilike", Value: "A%"}, `LOWER(CAST(t."title" AS TEXT)) LIKE LOWER(?)`, []any{"A%"}},
		{"is true on a boolean", Condition{Column: "done", Operator: "is true"}, `t."done" = ?`, []any{true}},
		{"not false", Condition{Column: "done", Operator: "not false"}, `t."done" <> ?`, []any{false}},
		{"is empty", Condition{Column: "notes", Operator: "is empty"}, `t."notes" IS NULL`, nil},
		{"is not empty", Condition{Column: "notes", Operator: "IS NOT EMPTY"}, `t."notes" IS NOT NULL`, nil},
		{"reference id", Condition{Column: "reference_id", Operator: "eq", Value: ref}, `t."reference_id" = ?`, []any{refB}},
		{"foreign key", Condition{Column: "project_id", Operator: "eq", Value: ref},
			`t."project_id" = (SELECT "id" FROM "project" WHERE "reference_id" = ?)`, []any{refB}},
		{"fuzzy any", Condition{Column: "title,notes", Operator: "fuzzy", Value: "Red Fox"},
			`((LOWER(CAST(t."title" AS TEXT)) LIKE ? OR LOWER(CAST(t."notes" AS TEXT)) LIKE ?) OR (LOWER(CAST(t."title" AS TEXT)) LIKE ? OR LOWER(CAST(t."notes" AS TEXT)) LIKE ?))`,
			[]any{"%red%", "%red%", "%fox%", "%fox%"}},
		{"fuzzy all", Condition{Column: "title", Operator: "fuzzy_all", Value: "a b"},
			`((LOWER(CAST(t."title" AS TEXT)) LIKE ?) AND (LOWER(CAST(t."title" AS TEXT)) LIKE ?))`, []any{"%a%", "%b%"}},
		{"fuzzy nothing", Condition{Column: "title", Operator: "fuzzy", Value: "  "}, `1 = 1`, nil},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			w := whereFor(t, "sqlite")
			pred, args, err := w.condition(s.c)
			if err != nil {
				t.Fatal(err)
			}
			sqlText, args := sqlval.Finish(w.d, pred, args)
			if sqlText != s.sql || !reflect.DeepEqual(args, s.args) {
				t.Fatalf("got  %s %#v\nwant %s %#v", sqlText, args, s.sql, s.args)
			}
		})
	}
}

func TestConditionDialects(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		dialect string
		c       Condition
		sql     string
		args    []any
	}{
		// PostgreSQL's LIKE is case-sensitive and text-only: every LIKE lowers.
		{"postgres", Condition{Column: "title", Operator: "like", Value: "A%"}, `LOWER(CAST(t."title" AS TEXT)) LIKE LOWER(?)`, []any{"A%"}},
		{"mysql", Condition{Column: "title", Operator: "like", Value: "A%"}, "t.`title` LIKE ?", []any{"A%"}},
		{"mysql", Condition{Column: "title", Operator: "ilike", Value: "A%"}, "LOWER(CAST(t.`title` AS CHAR)) LIKE LOWER(?)", []any{"A%"}},
		// A boolean stored as an integer binds 0/1.
		{"mysql", Condition{Column: "done", Operator: "is true"}, "t.`done` = ?", []any{true}},
	}
	for _, s := range scenarios {
		t.Run(s.dialect+"/"+s.c.Operator, func(t *testing.T) {
			w := whereFor(t, s.dialect)
			pred, args, err := w.condition(s.c)
			if err != nil {
				t.Fatal(err)
			}
			if pred != s.sql || !reflect.DeepEqual(args, s.args) {
				t.Fatalf("got  %s %#v\nwant %s %#v", pred, args, s.sql, s.args)
			}
		})
	}
}

func TestConditionRefused(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		c      Condition
		detail string
	}{
		{Condition{Column: "title", Operator: "resembles", Value: "x"}, `unknown operator "resembles"`},
		{Condition{Column: "nope", Operator: "eq", Value: "x"}, `has no column "nope"`},
		{Condition{Column: "priority", Operator: "eq", Value: "high"}, "does not fit column priority"},
		{Condition{Column: "priority", Operator: "in", Value: 3.0}, `operator "in" needs a list value`},
		{Condition{Column: "reference_id", Operator: "eq", Value: "not-a-uuid"}, "reference_id takes a UUID"},
		{Condition{Column: "project_id", Operator: "eq", Value: "x"}, "project_id takes a UUID"},
		{Condition{Column: "title,nope", Operator: "fuzzy", Value: "x"}, `has no column "nope"`},
	}
	for _, s := range scenarios {
		t.Run(s.c.Operator+"/"+s.c.Column, func(t *testing.T) {
			_, _, err := whereFor(t, "sqlite").condition(s.c)
			var re *Error
			if !errors.As(err, &re) || !errors.Is(err, ErrBadRequest) || re.Parameter != "query" || !strings.Contains(re.Detail, s.detail) {
				t.Fatalf("err = %#v, want a bad query parameter: %s", err, s.detail)
			}
		})
	}
}

func TestConditionsGroups(t *testing.T) {
	t.Parallel()
	w := whereFor(t, "sqlite")
	err := w.conditions([]Condition{
		{Column: "priority", Operator: "gt", Value: 1.0},
		{Column: "title", Operator: "eq", Value: "a", LogicalGroup: "g"},
		{Column: "title", Operator: "eq", Value: "b", LogicalGroup: "g"},
		{Column: "done", Operator: "is false"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ` WHERE t."priority" > ? AND t."done" = ? AND (t."title" = ? OR t."title" = ?)`
	if got := w.String(); got != want || fmt.Sprint(w.args) != "[1 false a b]" {
		t.Fatalf("got %s %v\nwant %s [1 false a b]", got, w.args, want)
	}
}

func TestParseSortAndOrderBy(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		sort string
		want string
		err  string
	}{
		{"", ` ORDER BY t."created_at" DESC, t."id" DESC`, ""}, // the table's default order
		{"title", ` ORDER BY t."title" ASC, t."id" ASC`, ""},
		{"-priority, +title", ` ORDER BY t."priority" DESC, t."title" ASC, t."id" ASC`, ""},
		{"title,-priority", ` ORDER BY t."title" ASC, t."priority" DESC, t."id" DESC`, ""},
		{"project_id", ` ORDER BY t."project_id" ASC, t."id" ASC`, ""},
		{" , ,title", ` ORDER BY t."title" ASC, t."id" ASC`, ""},
		{"nope", "", `has no column "nope"`},
	}
	for _, s := range scenarios {
		t.Run(s.sort, func(t *testing.T) {
			got, err := whereFor(t, "sqlite").orderBy(ParseSort(s.sort))
			if s.err != "" {
				var re *Error
				if !errors.As(err, &re) || re.Parameter != "sort" || !strings.Contains(re.Detail, s.err) {
					t.Fatalf("err = %v, want sort error %q", err, s.err)
				}
				return
			}
			if err != nil || got != s.want {
				t.Fatalf("orderBy = %q, %v; want %q", got, err, s.want)
			}
		})
	}
}

func TestParseConditionsAndConditionsFrom(t *testing.T) {
	t.Parallel()
	want := []Condition{{Column: "a", Operator: "eq", Value: "x"}}
	for _, in := range []any{`[{"column":"a","operator":"eq","value":"x"}]`, []any{map[string]any{"column": "a", "operator": "eq", "value": "x"}}} {
		got, err := ConditionsFrom(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("ConditionsFrom(%v) = %v, %v", in, got, err)
		}
	}
	if got, err := ConditionsFrom(nil); got != nil || err != nil {
		t.Fatalf("ConditionsFrom(nil) = %v, %v", got, err)
	}
	if got, err := ParseConditions("   "); got != nil || err != nil {
		t.Fatalf("ParseConditions(blank) = %v, %v", got, err)
	}
	for _, bad := range []any{`{"column":"a"}`, "not json", []any{func() {}}} {
		if _, err := ConditionsFrom(bad); !errors.Is(err, ErrBadRequest) {
			t.Errorf("ConditionsFrom(%v) err = %v, want a bad request", bad, err)
		}
	}
}
