package schema

import "testing"

func TestExplicitPermissions(t *testing.T) {
	for _, c := range []struct {
		name, doc                    string
		tablePerm, tableDefault, act bool
	}{
		{"absent", `{"Tables":[{"TableName":"a"}],"Actions":[{"Name":"x","OnType":"a"}]}`, false, false, false},
		{"explicit zero", `{"Tables":[{"TableName":"a","Permission":0,"DefaultPermission":0}],"Actions":[{"Name":"x","OnType":"a","Permission":0}]}`, true, true, true},
		{"lower-case keys", `{"Tables":[{"TableName":"a","permission":3}],"Actions":[{"Name":"x","OnType":"a","permission":0}]}`, true, false, true},
		{"null", `{"Tables":[{"TableName":"a","Permission":null}],"Actions":[{"Name":"x","OnType":"a","Permission":null}]}`, false, false, false},
	} {
		f, err := Parse("schema_a.json", []byte(c.doc))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		tb, a := f.Tables[0], f.Actions[0]
		if tb.ExplicitPermission != c.tablePerm || tb.ExplicitDefaultPermission != c.tableDefault || a.ExplicitPermission != c.act {
			t.Errorf("%s: table %v/%v action %v", c.name, tb.ExplicitPermission, tb.ExplicitDefaultPermission, a.ExplicitPermission)
		}
	}
	// YAML goes through the same decoding.
	f, err := Parse("schema_a.yaml", []byte("Actions:\n  - {Name: x, OnType: a, Permission: 0}\n  - {Name: y, OnType: a}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Actions[0].ExplicitPermission || f.Actions[1].ExplicitPermission {
		t.Errorf("yaml: %v %v", f.Actions[0].ExplicitPermission, f.Actions[1].ExplicitPermission)
	}
}
