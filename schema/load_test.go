package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseFormats: the same table in every format, keys matched
// case-insensitively.
func TestParseFormats(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"s.json": `{"Tables":[{"TableName":"note","Permission":0,"Columns":[{"Name":"title","ColumnType":"label"}]}]}`,
		"s.yaml": "tables:\n  - tablename: note\n    permission: 0\n    columns:\n      - {name: title, columntype: label}\n",
		"s.yml":  "Tables:\n  - TableName: note\n    Permission: 0\n    Columns: [{Name: title, ColumnType: label}]\n",
		"s.toml": "[[Tables]]\nTableName = \"note\"\nPermission = 0\n[[Tables.Columns]]\nName = \"title\"\nColumnType = \"label\"\n",
		"s":      `{"tables":[{"tablename":"note","permission":0,"columns":[{"name":"title","columntype":"label"}]}]}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			f, err := Parse(name, []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Tables) != 1 || f.Tables[0].TableName != "note" || len(f.Tables[0].Columns) != 1 || f.Tables[0].Columns[0].ColumnType != "label" {
				t.Fatalf("parsed %+v", f.Tables)
			}
			if !f.Tables[0].ExplicitPermission || f.Tables[0].ExplicitDefaultPermission {
				t.Fatalf("explicit permission flags = %v, %v; want true, false", f.Tables[0].ExplicitPermission, f.Tables[0].ExplicitDefaultPermission)
			}
		})
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, doc string
		line      int
		msg       string
	}{
		{"bad.json", "{\n  \"Tables\": [\n    {\"TableName\": }\n]}", 3, "invalid JSON"},
		{"type.json", "{\n\"Tables\": [{\"TableName\": 5}]}", 2, "field Tables.TableName: expected string, got JSON number"},
		{"bad.yaml", "Tables:\n  - TableName: note\n\tColumns: []\n", 2, "invalid YAML"}, // the line yaml.v3 names
		{"bad.toml", "[[Tables]]\nTableName = \n", 2, "invalid TOML"},
		{"schema.xml", "<Tables/>", 0, "unsupported schema format"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, err := Parse(s.name, []byte(s.doc))
			var se *Error
			if !errors.As(err, &se) || se.File != s.name || !strings.Contains(se.Msg, s.msg) {
				t.Fatalf("err = %v, want an *Error of %s with %q", err, s.name, s.msg)
			}
			if s.line > 0 && se.Line != s.line {
				t.Fatalf("line = %d, want %d (%v)", se.Line, s.line, err)
			}
		})
	}
}

func TestLoadDirOrderAndFilter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"schema_b.yaml":   "Tables: [{TableName: b}]\n",
		"schema_a.json":   `{"Tables":[{"TableName":"a"}]}`,
		"schema_c.txt":    "not a schema",
		"other.json":      `{"Tables":[{"TableName":"z"}]}`,
		"schema_d.toml":   "[[Tables]]\nTableName = \"d\"\n",
		"schema_e.yml":    "Tables: [{TableName: e}]\n",
		"schema_dir.json": "",
	}
	for name, doc := range files {
		if name == "schema_dir.json" {
			if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srcs, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range srcs {
		got = append(got, s.File.Tables[0].TableName)
	}
	if strings.Join(got, ",") != "a,b,d,e" {
		t.Fatalf("loaded %v, want a,b,d,e in name order", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "schema_f.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	var se *Error
	if _, err := LoadDir(dir); !errors.As(err, &se) || !strings.HasSuffix(se.File, "schema_f.json") {
		t.Fatalf("err = %v, want the bad file named", err)
	}
}
