package resource_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

// planSchema is the load benchmark's shape (test/bench/load.sh): items
// belong to projects, the table gate lets any signed-in user try, and rows
// are readable by their owner only (guest peek, owner everything, group
// read and execute).
const planSchema = `
Tables:
  - TableName: project
    Permission: 561455
    DefaultPermission: 573313
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: item
    Permission: 561455
    DefaultPermission: 573313
    Columns:
      - {Name: title, ColumnType: label, DataType: varchar(200), IsIndexed: true}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
Relations:
  - {Subject: item, Relation: belongs_to, Object: project}
`

// TestAggregateGroupByIndexedColumnScansOnce: a plain user's count by
// project must not walk the project_id index and fetch every row from the
// table in index order to test the row predicate (random page reads: about
// 1 s for 100,000 rows on SQLite once the table outgrows the page cache;
// see aggregate_plan.go), while on SQLite the administrator, who has no
// predicate, keeps the covering index and a filter on the grouped column
// still searches it. The plans are checked on SQLite and MySQL; the counts,
// those of the rows each caller may read, on every dialect.
func TestAggregateGroupByIndexedColumnScansOnce(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, planSchema)
	user := func(name string) context.Context {
		u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": name, "email": name + "@example.test", "password": name + "-password"}})
		if err != nil {
			t.Fatal(err)
		}
		return auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: name + "@example.test"})
	}
	ann, bob := user("ann"), user("bob")
	admin := auth.WithPrincipal(context.Background(), auth.Principal{UserID: 1, Admin: true})
	seed := func(ctx context.Context, project string, items int) string {
		p, err := res.Create(ctx, "project", resource.Input{Attributes: map[string]any{"name": project}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range items {
			_, err := res.Create(ctx, "item", resource.Input{
				Attributes:    map[string]any{"title": fmt.Sprint(project, " ", i), "priority": i, "done": i%2 == 0},
				Relationships: map[string]resource.RelInput{"project_id": {Refs: []resource.Ref{{Type: "project", ID: p.RefID}}}},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return p.RefID
	}
	alpha, beta := seed(ann, "alpha", 3), seed(ann, "beta", 2)
	gamma := seed(bob, "gamma", 2)

	byProject := resource.AggregateQuery{Groups: []string{"project_id"}, Columns: []string{"count"}}
	counts := func(ctx context.Context, q resource.AggregateQuery) map[string]any {
		t.Helper()
		rows, err := res.Aggregate(ctx, "item", q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]any{}
		for _, r := range rows {
			out[fmt.Sprint(r.Attrs["project_id"])] = r.Attrs["count"]
		}
		return out
	}
	for _, s := range []struct {
		name string
		ctx  context.Context
		q    resource.AggregateQuery
		want map[string]any
	}{
		{"ann", ann, byProject, map[string]any{alpha: int64(3), beta: int64(2)}},
		{"bob", bob, byProject, map[string]any{gamma: int64(2)}},
		{"admin", admin, byProject, map[string]any{alpha: int64(3), beta: int64(2), gamma: int64(2)}},
		{"ann, one project", ann, resource.AggregateQuery{Groups: []string{"project_id"}, Columns: []string{"count"}, Filters: []string{"eq(project_id," + beta + ")"}}, map[string]any{beta: int64(2)}},
		{"ann, done only", ann, resource.AggregateQuery{Groups: []string{"project_id"}, Columns: []string{"count"}, Filters: []string{"eq(done,true)"}}, map[string]any{alpha: int64(2), beta: int64(1)}},
	} {
		if got := counts(s.ctx, s.q); fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Errorf("%s: counts %v, want %v", s.name, got, s.want)
		}
	}

	plan := func(ctx context.Context, q resource.AggregateQuery) []string {
		t.Helper()
		p, err := resource.AggregatePlan(ctx, res, "item", q)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	annPlan := plan(ann, byProject)
	switch resource.DialectName(res) {
	case "sqlite":
		for _, d := range annPlan {
			if strings.HasPrefix(d, "SCAN t USING INDEX") {
				t.Errorf("plain user walks an index and reads every row through it: %q", annPlan)
			}
		}
		if !slices.Contains(annPlan, "SCAN t") {
			t.Errorf("plain user: plan %q, want one scan of the table", annPlan)
		}
		if p := plan(admin, byProject); !slices.Contains(p, "SCAN t USING COVERING INDEX i_item_project_id") {
			t.Errorf("administrator: plan %q, want the covering project_id index", p)
		}
		onePlan := plan(ann, resource.AggregateQuery{Groups: []string{"project_id"}, Columns: []string{"count"}, Filters: []string{"eq(project_id," + beta + ")"}})
		if !slices.ContainsFunc(onePlan, func(d string) bool { return strings.HasPrefix(d, "SEARCH t USING INDEX i_item_project_id") }) {
			t.Errorf("filter on the grouped column: plan %q, want a search of its index", onePlan)
		}
	case "mysql":
		// "t index i_item_project_id" is the walk of the whole index.
		if slices.ContainsFunc(annPlan, func(d string) bool { return strings.HasPrefix(d, "t index ") }) {
			t.Errorf("plain user walks an index and reads every row through it: %q", annPlan)
		}
	}
}
