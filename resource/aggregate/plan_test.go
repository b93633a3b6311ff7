package aggregate

import (
	"strings"
	"testing"
)

// TestGroupingPlan: a grouped query whose WHERE clause needs the rows keeps
// the grouping off the grouped column's index (plan.go); without a WHERE
// clause, or without grouping, the index may serve.
func TestGroupingPlan(t *testing.T) {
	t.Parallel()
	grouped := Query{Columns: []string{"title,count"}, Groups: []string{"title"}}
	scenarios := []struct {
		name    string
		dialect string
		open    bool
		q       Query
		has     string
		lacks   string
	}{
		{"sqlite restricted", "sqlite", false, grouped, `GROUP BY +t."title"`, ""},
		{"sqlite open", "sqlite", true, grouped, "GROUP BY 1", "+t."},
		{"sqlite filtered", "sqlite", true, Query{Columns: grouped.Columns, Groups: grouped.Groups, Filters: []string{"gt(priority,1)"}}, `GROUP BY +t."title"`, ""},
		{"sqlite joined column stays", "sqlite", false, Query{Columns: []string{"project.name,count"}, Groups: []string{"project.name"},
			Joins: []string{"project@eq(item.project_id,project.reference_id)"}}, "GROUP BY 1", "+j1"},
		{"mysql restricted", "mysql", false, grouped, "USE INDEX FOR GROUP BY ()", ""},
		{"mysql open", "mysql", true, grouped, "GROUP BY 1", "USE INDEX"},
		{"mysql ungrouped", "mysql", false, Query{}, "COUNT(*)", "USE INDEX"},
		{"postgres needs no hint", "postgres", false, grouped, "GROUP BY 1", "+t."},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			sqlText, _, err := build(t, s.dialect, s.open, s.q)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sqlText, s.has) || (s.lacks != "" && strings.Contains(sqlText, s.lacks)) {
				t.Fatalf("%s\nwant %q and not %q", sqlText, s.has, s.lacks)
			}
		})
	}
}

func TestTimeSamplePerDialect(t *testing.T) {
	t.Parallel()
	for dialect, want := range map[string]string{
		"sqlite":   "STRFTIME(",
		"postgres": `DATE_TRUNC('week', t."created_at")`,
		"mysql":    "t.`created_at`",
	} {
		sqlText, _, err := build(t, dialect, true, Query{TimeSample: "WEEK"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sqlText, want) || !strings.Contains(sqlText, "GROUP BY 2") {
			t.Errorf("%s: %s\nwant %q grouped as the second column", dialect, sqlText, want)
		}
	}
}
