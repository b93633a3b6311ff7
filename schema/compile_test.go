package schema

import (
	"strings"
	"testing"
)

func compileText(t *testing.T, name, text string) (*Schema, error) {
	t.Helper()
	f, err := Parse(name, []byte(text))
	if err != nil {
		return nil, err
	}
	return Compile(Source{Path: name, File: f})
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, file, text string
		want             []string // substrings of the error
	}{
		{"malformed json", "schema_a.json", "{\n  \"Tables\": [\n    {\"TableName\": \"x\",,}\n  ]\n}", []string{"schema_a.json:3", "invalid JSON"}},
		{"malformed yaml", "schema_b.yaml", "Tables:\n  - TableName: x\n   Columns: [", []string{"schema_b.yaml:", "invalid YAML"}},
		{"malformed toml", "schema_c.toml", "[[Tables]]\nTableName = \n", []string{"schema_c.toml:", "invalid TOML"}},
		{"unknown column type", "schema_d.yaml", "Tables:\n  - TableName: x\n    Columns:\n      - {Name: a, ColumnType: nosuchtype}\n", []string{"schema_d.yaml", `table "x"`, `column "a"`, "unknown column type"}},
		{"duplicate column", "schema_e.yaml", "Tables:\n  - TableName: x\n    Columns:\n      - {Name: a, ColumnType: label}\n      - {Name: A, ColumnType: label}\n", []string{`column "a"`, "duplicate column"}},
		{"relation to missing table", "schema_f.yaml", "Tables:\n  - TableName: x\nRelations:\n  - {Subject: x, Relation: belongs_to, Object: ghost}\n", []string{"schema_f.yaml", `"ghost" does not exist`}},
		{"reserved column", "schema_g.yaml", "Tables:\n  - TableName: x\n    Columns:\n      - {Name: reference_id, ColumnType: label}\n", []string{`column "reference_id"`, "reserved"}},
		{"reserved table", "schema_h.yaml", "Tables:\n  - TableName: _config\n", []string{"reserved"}},
		{"bad table name", "schema_i.yaml", "Tables:\n  - TableName: \"x; drop table y\"\n", []string{"letters, digits and underscores"}},
		{"bad relation kind", "schema_j.yaml", "Tables:\n  - TableName: x\nRelations:\n  - {Subject: x, Relation: owns, Object: user_account}\n", []string{"unknown relation kind"}},
		{"sql in data type", "schema_k.yaml", "Tables:\n  - TableName: x\n    Columns:\n      - {Name: a, ColumnType: label, DataType: 'varchar(10); drop table world'}\n", []string{`column "a"`}},
		{"sql in default", "schema_l.yaml", "Tables:\n  - TableName: x\n    Columns:\n      - {Name: a, ColumnType: label, DefaultValue: \"'a'); drop table world; --\"}\n", []string{`column "a"`}},
		{"nameless table", "schema_m.json", `{"Tables":[{"Columns":[]}]}`, []string{"no TableName"}},
		{"index of an unknown column", "schema_n.yaml", "Tables:\n  - TableName: x\n    Indexes: [[a, ghost]]\n    Columns:\n      - {Name: a, ColumnType: label}\n", []string{"schema_n.yaml", `table "x"`, `column "ghost"`, "unknown column"}},
		{"empty index", "schema_o.yaml", "Tables:\n  - TableName: x\n    Indexes: [[]]\n    Columns:\n      - {Name: a, ColumnType: label}\n", []string{`table "x"`, "no column"}},
		{"unknown OnDelete", "schema_q.yaml", "Tables:\n  - TableName: x\n  - TableName: y\nRelations:\n  - {Subject: x, Relation: belongs_to, Object: y, OnDelete: destroy}\n", []string{"schema_q.yaml", "unknown OnDelete"}},
		{"OnDelete on has_many", "schema_r.yaml", "Tables:\n  - TableName: x\n  - TableName: y\nRelations:\n  - {Subject: x, Relation: has_many, Object: y, OnDelete: cascade}\n", []string{"belongs_to and has_one only"}},
		{"OnDelete from a user", "schema_s.yaml", "Tables:\n  - TableName: x\nRelations:\n  - {Subject: x, Relation: belongs_to, Object: user_account, OnDelete: cascade}\n", []string{"not deleted with a user"}},
		{"index naming a column twice", "schema_p.yaml", "Tables:\n  - TableName: x\n    Indexes: [[a, a]]\n    Columns:\n      - {Name: a, ColumnType: label}\n", []string{`column "a"`, "twice"}},
	}
	for _, s := range scenarios {
		s := s
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileText(t, s.file, s.text)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range s.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestCompileDerivesLinks(t *testing.T) {
	t.Parallel()
	sc, err := compileText(t, "schema_todo.yaml", `
Tables:
  - TableName: Project
    Columns: [{Name: name, ColumnType: label}]
  - TableName: todo
    IsStateTrackingEnabled: true
    IsAuditEnabled: true
    Columns:
      - {Name: Title, ColumnType: label}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
  - TableName: tag
    Columns: [{Name: label, ColumnType: label}]
Relations:
  - {Subject: todo, Relation: belongs_to, Object: project}
  - {Subject: todo, Relation: has_one, Object: user_account, ObjectName: assignee_id, SubjectName: assigned_todo}
  - {Subject: todo, Relation: has_many, Object: tag}
`)
	if err != nil {
		t.Fatal(err)
	}
	todo, ok := sc.Table("todo")
	if !ok {
		t.Fatal("no todo table")
	}
	if todo.Columns[0].ColumnName != ColID || todo.Columns[4].ColumnName != ColReferenceID {
		t.Errorf("standard columns not first: %v", todo.Columns[:6])
	}
	if _, ok := todo.Column("title"); !ok {
		t.Error("Title not snake-cased to title")
	}
	checks := []struct {
		table, link, target string
		toMany, join        bool
	}{
		{"todo", "project_id", "project", false, false},
		{"todo", "assignee_id", "user_account", false, false},
		{"todo", "tag_id", "tag", true, true},
		{"todo", "user_account_id", "user_account", false, false},
		{"todo", "usergroup_id", "usergroup", true, true},
		{"todo", "todo_has_state", "todo_state", true, false},
		{"project", "todo_id", "todo", true, false},
		{"tag", "todo_id", "todo", true, true},
		{"user_account", "assigned_todo", "todo", false, false},
		{"user_account", "todo_id", "todo", true, false},
		{"user_account", "user_account_id", "user_account", false, false},
	}
	for _, c := range checks {
		tb, _ := sc.Table(c.table)
		l, ok := tb.Link(c.link)
		if !ok {
			t.Errorf("%s has no link %s", c.table, c.link)
			continue
		}
		if l.Target != c.target || l.ToMany != c.toMany || l.IsJoin() != c.join {
			t.Errorf("%s.%s = %+v", c.table, c.link, *l)
		}
	}
	if col, _ := todo.Column("project_id"); col == nil || col.IsNullable {
		t.Errorf("belongs_to project must be a NOT NULL FK: %+v", col)
	}
	if col, _ := todo.Column("assignee_id"); col == nil || !col.IsNullable {
		t.Errorf("has_one must be nullable: %+v", col)
	}
	audit, ok := sc.Table("todo_audit")
	if !ok || audit.HasOwner() {
		t.Fatalf("todo_audit missing or has an owner")
	}
	if _, ok := audit.Column("source_reference_id"); !ok {
		t.Error("audit table lacks source_reference_id")
	}
	if ug, _ := sc.Table(TableUsergroup); ug.HasOwner() {
		t.Error("usergroup must not have an owner column")
	}
	if _, ok := sc.Table(TableMembership); !ok {
		t.Error("membership join table missing")
	}
}

func TestLoadDirFormats(t *testing.T) {
	t.Parallel()
	for _, s := range []struct{ name, text string }{
		{"schema_a.json", `{"tables":[{"tablename":"a","columns":[{"name":"x","columntype":"label"}]}]}`},
		{"schema_b.yml", "Tables:\n  - TableName: b\n    Columns:\n      - {Name: x, ColumnType: label}\n"},
		{"schema_c.toml", "[[Tables]]\nTableName = \"c\"\n[[Tables.Columns]]\nName = \"x\"\nColumnType = \"label\"\n"},
	} {
		sc, err := compileText(t, s.name, s.text)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(s.name, "schema_"), s.name[strings.LastIndex(s.name, "."):])
		tb, ok := sc.Table(name)
		if !ok {
			t.Fatalf("%s: table %s missing", s.name, name)
		}
		if _, ok := tb.Column("x"); !ok {
			t.Errorf("%s: column x missing", s.name)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"ProductItem": "product_item", "Budget Amount": "budget_amount", "todo": "todo", "HTTPServer": "http_server", "user_account": "user_account"} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
