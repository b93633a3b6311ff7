package resource

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// AggregatePlan returns the plan of the statement Aggregate would run, so
// tests can check which indexes it walks: on SQLite the detail column of
// EXPLAIN QUERY PLAN, on MySQL one "table type key" line per EXPLAIN row,
// on PostgreSQL nil.
func AggregatePlan(ctx context.Context, res Service, table string, q AggregateQuery) ([]string, error) {
	s := res.(*svc)
	prefix := map[string]string{"sqlite": "EXPLAIN QUERY PLAN ", "mysql": "EXPLAIN "}[s.d.Name()]
	if prefix == "" {
		return nil, nil
	}
	st, err := s.aggregateStatement(ctx, table, q)
	if err != nil {
		return nil, err
	}
	sqlText, args := st.SQL()
	rows, err := s.reader().QueryContext(ctx, s.d.Rebind(prefix+sqlText), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		get := func(name string) string {
			for i, c := range cols {
				if strings.EqualFold(c, name) {
					return vals[i].String
				}
			}
			return ""
		}
		if s.d.Name() == "sqlite" {
			out = append(out, get("detail"))
		} else {
			out = append(out, fmt.Sprintf("%s %s %s", get("table"), get("type"), get("key")))
		}
	}
	return out, rows.Err()
}

// DialectName names the database res runs on: "sqlite", "postgres" or "mysql".
func DialectName(res Service) string { return res.(*svc).d.Name() }
