package db_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apiary/apiary/storage/db/dbtest"
)

// TestPositionalColumnReadsTheSameValues: a column read through
// PositionalColumn returns exactly what the plain column returns, for every
// column type the dialect spells and for values SQLite stores in another
// storage class than the declared one; a time column is compared through
// RawTimeColumn, the only way a positional read takes it. On SQLite the
// driver is left no name or declared type to build.
func TestPositionalColumnReadsTheSameValues(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	dl := d.Dialect
	bases := []struct {
		base  string
		n, m  int
		value any
		time  bool
	}{
		{"int", -1, -1, int64(-7), false},
		{"bigint", -1, -1, int64(1) << 40, false},
		{"varchar", 20, -1, "hé \"x\"", false},
		{"char", 4, -1, "ab", false},
		{"text", -1, -1, "long text", false},
		{"float", -1, -1, 2.5, false},
		{"decimal", 10, 2, "12.34", false},
		{"boolean", -1, -1, true, false},
		{"blob", -1, -1, []byte{0, 1, 0xff}, false},
		{"datetime", -1, -1, "2024-01-02 03:04:05", true},
		{"date", -1, -1, "2024-02-29", true},
	}
	var defs, plain, positional, marks []string
	var args []any
	for i, b := range bases {
		col := fmt.Sprintf("c%d", i)
		defs = append(defs, col+" "+dl.ColumnType(b.base, b.n, b.m, false))
		expr := dl.Quote(col)
		if b.time {
			raw, ok := dl.RawTimeColumn(expr)
			if !ok {
				continue // no positional read of times on this database
			}
			expr = raw
		}
		plain = append(plain, expr)
		positional = append(positional, dl.PositionalColumn(expr))
		marks = append(marks, "?")
		args = append(args, b.value)
	}
	if _, err := d.W.ExecContext(ctx, "CREATE TABLE positional ("+strings.Join(defs, ", ")+")"+dl.CreateTableSuffix()); err != nil {
		t.Fatal(err)
	}
	// Fill only the columns compared (times are left NULL where unread).
	var names []string
	for i, b := range bases {
		if _, ok := dl.RawTimeColumn("x"); b.time && !ok {
			continue
		}
		names = append(names, fmt.Sprintf("c%d", i))
	}
	insert := dl.Rebind("INSERT INTO positional (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")")
	if _, err := d.W.ExecContext(ctx, insert, args...); err != nil {
		t.Fatal(err)
	}
	nulls := make([]any, len(args))
	if _, err := d.W.ExecContext(ctx, insert, nulls...); err != nil {
		t.Fatal(err)
	}
	if dl.Name() == "sqlite" {
		// Values in another storage class than the column's affinity.
		if _, err := d.W.ExecContext(ctx, "INSERT INTO positional (c0, c2, c5, c7, c8) VALUES ('text', 42, 'x', 2, 'text in blob')"); err != nil {
			t.Fatal(err)
		}
	}
	read := func(sel []string) [][]any {
		t.Helper()
		rows, err := d.R.QueryxContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM positional ORDER BY "+dl.Quote("c0"))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if dl.Name() == "sqlite" && strings.Contains(sel[0], " AS ") {
			types, err := rows.ColumnTypes()
			if err != nil {
				t.Fatal(err)
			}
			for i, ct := range types {
				if ct.DatabaseTypeName() != "" || len(ct.Name()) != 1 {
					t.Errorf("column %d: declared type %q, name %q: the driver still builds them", i, ct.DatabaseTypeName(), ct.Name())
				}
			}
		}
		var out [][]any
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := read(plain), read(positional)
	if len(want) < 2 {
		t.Fatalf("read %d rows", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("positional read\n%#v\nplain read\n%#v", got, want)
	}
}
