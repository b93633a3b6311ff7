package resource_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const listPlanSchema = `
Tables:
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: due, ColumnType: date, IsNullable: true}
`

// The statements that run after a list page's ids are known must reach
// rows through an index on every dialect: the page's rows and the placing
// of a created row by primary key, the check of a created row by its
// unique reference id. (The ordered id list itself is one scan: the row
// predicate ORs the guest bit with the owner, which no index serves.)
func TestListStatementsUseIndexes(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, listPlanSchema)
	u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.test", "password": "ann-password"}})
	if err != nil {
		t.Fatal(err)
	}
	ann := auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: "ann@example.test"})
	ins := make([]resource.Input, 3000) // enough rows for MySQL's cost model to prefer the index
	for i := range ins {
		ins[i] = resource.Input{Attributes: map[string]any{"title": fmt.Sprint("todo ", i), "due": fmt.Sprintf("2027-01-%02d", i%28+1)}}
	}
	if _, err := res.(resource.BulkCreator).CreateMany(ann, "todo", ins); err != nil {
		t.Fatal(err)
	}
	last, err := res.Create(ann, "todo", resource.Input{Attributes: map[string]any{"title": "just created"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, srt := range []string{"title", "-due", "-created_at"} {
		plans, err := resource.ListPlans(ann, res, "todo", resource.Query{Sort: resource.ParseSort(srt)}, last.RefID)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string][]string{
			// SQLite, MySQL, PostgreSQL
			"rows":  {"USING INTEGER PRIMARY KEY", "t range PRIMARY", "todo_pkey"},
			"place": {"USING INTEGER PRIMARY KEY", "t range PRIMARY", "todo_pkey"},
			"shown": {"USING INDEX u_todo_reference_id", "t const u_todo_reference_id", "u_todo_reference_id"},
		} {
			text := strings.Join(plans[name], "\n")
			found := false
			for _, w := range want {
				found = found || strings.Contains(text, w)
			}
			if !found || strings.Contains(text, "SCAN t\n") || strings.HasSuffix(text, "SCAN t") || strings.Contains(text, " ALL ") {
				t.Errorf("sort %s, %s: plan\n%s\nuses no index (want one of %q)", srt, name, text, want)
			}
		}
	}
}
