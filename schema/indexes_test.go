package schema

import (
	"slices"
	"testing"
)

// TestCompositeIndexes: an index may name a foreign-key column that a
// relation adds and a standard column; a second file repeating an index
// adds it once; the system mail table declares its listing index.
func TestCompositeIndexes(t *testing.T) {
	t.Parallel()
	a, err := Parse("schema_a.yaml", []byte("Tables:\n  - TableName: msg\n    Indexes: [[box_id, uid], [created_at]]\n    Columns:\n      - {Name: uid, ColumnType: value}\n"+
		"  - TableName: box\n    Columns:\n      - {Name: name, ColumnType: label}\nRelations:\n  - {Subject: msg, Relation: belongs_to, Object: box}\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("schema_b.yaml", []byte("Tables:\n  - TableName: msg\n    Indexes: [[box_id, uid], [uid, box_id]]\n"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Compile(Source{Path: "schema_a.yaml", File: a}, Source{Path: "schema_b.yaml", File: b})
	if err != nil {
		t.Fatal(err)
	}
	msg, ok := sc.Table("msg")
	if !ok {
		t.Fatal("no msg table")
	}
	want := [][]string{{"box_id", "uid"}, {"created_at"}, {"uid", "box_id"}}
	if !slices.EqualFunc(msg.Indexes, want, slices.Equal) {
		t.Errorf("msg Indexes = %v, want %v", msg.Indexes, want)
	}
	sys, err := Compile()
	if err != nil {
		t.Fatal(err)
	}
	mail, _ := sys.Table("mail")
	if !slices.ContainsFunc(mail.Indexes, func(ix []string) bool { return len(ix) > 2 && ix[0] == "mail_box_id" && ix[1] == "uid" }) {
		t.Errorf("mail Indexes = %v, want one starting mail_box_id, uid", mail.Indexes)
	}
}
