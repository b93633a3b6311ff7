package schema

import (
	"testing"
)

// fuzzExts are the loader's formats; the fuzzer picks one by index.
var fuzzExts = []string{".json", ".yaml", ".yml", ".toml"}

// FuzzParseCompile feeds schema documents in every format through Parse and
// Compile: no panic, and every failure is an error, not a crash.
func FuzzParseCompile(f *testing.F) {
	for _, s := range []struct {
		ext  uint8
		text string
	}{
		{0, `{"Tables":[{"TableName":"todo","Columns":[{"Name":"title","ColumnType":"label"}]}]}`},
		{0, `{"tables":[{"tablename":"a","columns":[{"name":"x","columntype":"label","isindexed":true}]}],"relations":[{"subject":"a","relation":"has_many","object":"user_account"}]}`},
		{0, `{"Tables":[{"TableName":"x",}]}`},
		{0, `{"Tables":null,"Relations":[{}]}`},
		{0, `[]`},
		{1, "Tables:\n  - TableName: project\n    Columns:\n      - {Name: name, ColumnType: label, IsIndexed: true}\n  - TableName: item\n    Permission: 561455\n    DefaultPermission: 573313\n    Columns:\n      - {Name: title, ColumnType: label, DataType: varchar(200)}\n      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: \"1\"}\n      - {Name: status, ColumnType: enum, DefaultValue: \"'open'\", Options: [{Value: open, Label: Open}]}\nRelations:\n  - {Subject: item, Relation: belongs_to, Object: project}\n  - {Subject: item, Relation: many_to_many, Object: project, ObjectName: watcher, SubjectName: watched}\n"},
		{1, "Tables:\n  - TableName: x\n   Columns: ["},
		{1, "a: &a [*a]\n"},
		{1, "Tables:\n  - TableName: x\n    Columns:\n      - {Name: a, ColumnType: nosuchtype}\n"},
		{2, "Tables:\n  - TableName: user_account\n    Columns:\n      - {Name: nickname, ColumnType: label}\n"},
		{2, "Tables:\n  - TableName: todo\n    IsStateTrackingEnabled: true\n    Columns:\n      - {Name: a, ColumnType: label}\nStateMachineDescriptions:\n  - Name: flow\n    InitialState: open\n    Events:\n      - {Name: close, Src: [open], Dst: closed}\n"},
		{3, "[[Tables]]\nTableName = \"c\"\n[[Tables.Columns]]\nName = \"x\"\nColumnType = \"label\"\n"},
		{3, "[[Tables]]\nTableName = \n"},
		{3, "Tables = 5\n"},
	} {
		f.Add(s.ext, []byte(s.text))
	}
	f.Fuzz(func(t *testing.T, ext uint8, data []byte) {
		name := "schema_fuzz" + fuzzExts[int(ext)%len(fuzzExts)]
		file, err := Parse(name, data)
		if err != nil {
			return
		}
		sc, err := Compile(Source{Path: name, File: file})
		if err == nil && sc == nil {
			t.Fatal("Compile returned neither a schema nor an error")
		}
	})
}
