package resource

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// ListPlans returns the query plans of the statements that follow a list
// page's ids as q lists table for the caller in ctx: "rows" (the page's
// rows by id), "shown" (whether the row ref, as if just created, is
// listed) and "place" (the
// sorting of a created row among kept ones). SQLite: the detail column of
// EXPLAIN QUERY PLAN; MySQL: "table type key" per EXPLAIN row; PostgreSQL:
// the EXPLAIN lines with sequential scans disabled, so that an index that
// can serve the statement shows in the plan even on a small table.
func ListPlans(ctx context.Context, res Service, tableName string, q Query, ref string) (map[string][]string, error) {
	s := res.(*svc)
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return nil, err
	}
	p, err := s.planList(ctx, sc, t, q, nil)
	if err != nil {
		return nil, err
	}
	place := make([]any, followFan+1)
	for i := range place {
		place[i] = int64(i + 1)
	}
	stmts := map[string][]any{}
	rowsSQL, rowsArgs := p.rowsSQL(s.d, []int64{1, 2, 3})
	refB, ok := refBytes(ref)
	if !ok {
		return nil, fmt.Errorf("bad reference id %q", ref)
	}
	shownSQL, shownArgs := p.shownSQL(s.d, refB)
	stmts[rowsSQL], stmts[shownSQL], stmts[p.placeSQL(s.d)] = rowsArgs, shownArgs, place
	names := map[string]string{rowsSQL: "rows", shownSQL: "shown", p.placeSQL(s.d): "place"}
	tx, err := s.db.R.BeginTxx(ctx, &sql.TxOptions{ReadOnly: s.d.Name() != "sqlite"})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	prefix := "EXPLAIN "
	switch s.d.Name() {
	case "sqlite":
		prefix = "EXPLAIN QUERY PLAN "
	case "postgres":
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return nil, err
		}
	}
	out := map[string][]string{}
	for text, args := range stmts {
		lines, err := explain(ctx, tx, s.d.Name(), s.d.Rebind(prefix+text), args)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", names[text], err)
		}
		out[names[text]] = lines
	}
	return out, nil
}

func explain(ctx context.Context, tx *sqlx.Tx, dialect, text string, args []any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, text, args...)
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
		switch dialect {
		case "sqlite":
			out = append(out, get("detail"))
		case "mysql":
			out = append(out, fmt.Sprintf("%s %s %s", get("table"), get("type"), get("key")))
		default:
			out = append(out, vals[0].String)
		}
	}
	return out, rows.Err()
}
