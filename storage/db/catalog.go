package db

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
)

// TableInfo is what the database reports about one live table.
type TableInfo struct {
	// Columns are in declaration order, as Dialect.Columns lists them.
	Columns []ColumnInfo
	// Indexes are the non-primary-key index names, as Dialect.Indexes lists them.
	Indexes []string
}

// queryCatalog builds a catalogue from two queries: colQuery returns
// (table, column, type, nullable) rows and idxQuery (table, index) rows.
func queryCatalog(ctx context.Context, q sqlx.QueryerContext, colQuery, idxQuery string) (map[string]*TableInfo, error) {
	out := map[string]*TableInfo{}
	table := func(name string) *TableInfo {
		t := out[name]
		if t == nil {
			t = &TableInfo{Columns: []ColumnInfo{}, Indexes: []string{}}
			out[name] = t
		}
		return t
	}
	rows, err := q.QueryxContext(ctx, colQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tbl, name, typ, nullable string
		if err := rows.Scan(&tbl, &name, &typ, &nullable); err != nil {
			return nil, err
		}
		t := table(tbl)
		t.Columns = append(t.Columns, ColumnInfo{Name: name, Type: typ, Nullable: isYes(nullable)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	idx, err := q.QueryxContext(ctx, idxQuery)
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	for idx.Next() {
		var tbl, name string
		if err := idx.Scan(&tbl, &name); err != nil {
			return nil, err
		}
		t := table(tbl)
		t.Indexes = append(t.Indexes, name)
	}
	return out, idx.Err()
}

// isYes reads the nullable flag of the catalogue queries: "YES", "1",
// "true" or "t" (any case) mean nullable.
func isYes(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "1", "true", "t":
		return true
	}
	return false
}
