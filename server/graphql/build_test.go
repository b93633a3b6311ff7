package graphql

import (
	"testing"

	"github.com/apiary/apiary/schema"
)

// TestBuildInputTypeNames: the list arguments' input types take Daptin's
// names (page, query) unless a table already has that name.
func TestBuildInputTypeNames(t *testing.T) {
	for _, c := range []struct {
		name, yaml, page, query string
	}{
		{"plain", "Tables:\n  - TableName: todo\n    Columns: [{Name: title, ColumnType: label}]\n", "page", "query"},
		{"clash", "Tables:\n  - TableName: page\n    Columns: [{Name: title, ColumnType: label}]\n  - TableName: query\n    Columns: [{Name: q, ColumnType: label}]\n",
			"PageInput", "QueryInput"},
	} {
		f, err := schema.Parse("schema_x.yaml", []byte(c.yaml))
		if err != nil {
			t.Fatal(err)
		}
		sc, err := schema.Compile(schema.Source{Path: "schema_x.yaml", File: f})
		if err != nil {
			t.Fatal(err)
		}
		gs, err := New(Deps{}).build(sc)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, n := range []string{c.page, c.query, "ActionResponse"} {
			if gs.Type(n) == nil {
				t.Errorf("%s: no type %s", c.name, n)
			}
		}
		user := gs.QueryType().Fields()["user_account"]
		if user == nil || len(user.Args) == 0 {
			t.Fatalf("%s: no user_account list field", c.name)
		}
		for _, a := range user.Args {
			if a.Name() == "page" && a.Type.Name() != c.page {
				t.Errorf("%s: page argument of type %s", c.name, a.Type.Name())
			}
		}
	}
}
