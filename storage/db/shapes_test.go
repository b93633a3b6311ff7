package db_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/storage/db/dbtest"
)

// TestScanAnyShapes pins down the Go type each driver returns when a column is
// scanned into any, so the resource layer knows what to normalise.
func TestScanAnyShapes(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	when := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	var (
		i64 = reflect.TypeFor[int64]()
		bol = reflect.TypeFor[bool]()
		byt = reflect.TypeFor[[]byte]()
		str = reflect.TypeFor[string]()
		f64 = reflect.TypeFor[float64]()
		tim = reflect.TypeFor[time.Time]()
	)
	type col struct {
		what   string
		sqlite string
		pg     string
		mysql  string
		in     any
		want   map[string]reflect.Type // by dialect
	}
	cols := []col{
		{"bool", "BOOLEAN", "BOOLEAN", "BOOLEAN", true, map[string]reflect.Type{"sqlite": i64, "postgres": bol, "mysql": i64}},
		{"blob", "BLOB", "BYTEA", "LONGBLOB", []byte{0, 1, 2}, map[string]reflect.Type{"sqlite": byt, "postgres": byt, "mysql": byt}},
		{"timestamp", "TIMESTAMP", "TIMESTAMPTZ", "DATETIME(6)", when, map[string]reflect.Type{"sqlite": tim, "postgres": tim, "mysql": tim}},
		{"date", "DATE", "DATE", "DATE", day, map[string]reflect.Type{"sqlite": tim, "postgres": tim, "mysql": tim}},
		{"bigint", "BIGINT", "BIGINT", "BIGINT", int64(42), map[string]reflect.Type{"sqlite": i64, "postgres": i64, "mysql": i64}},
		{"varchar", "VARCHAR(10)", "VARCHAR(10)", "VARCHAR(10)", "hi", map[string]reflect.Type{"sqlite": str, "postgres": str, "mysql": byt}},
		{"text", "TEXT", "TEXT", "TEXT", "text", map[string]reflect.Type{"sqlite": str, "postgres": str, "mysql": byt}},
		{"float", "REAL", "DOUBLE PRECISION", "DOUBLE", 1.5, map[string]reflect.Type{"sqlite": f64, "postgres": f64, "mysql": f64}},
		{"decimal", "DECIMAL(10,2)", "NUMERIC(10,2)", "DECIMAL(10,2)", "12.34", map[string]reflect.Type{"sqlite": f64, "postgres": str, "mysql": byt}},
	}
	name := d.Dialect.Name()
	var defs, marks []string
	var args []any
	for i, c := range cols {
		typ := map[string]string{"sqlite": c.sqlite, "postgres": c.pg, "mysql": c.mysql}[name]
		defs = append(defs, fmt.Sprintf("c%d %s", i, typ))
		marks = append(marks, "?")
		args = append(args, c.in)
	}
	if _, err := d.W.ExecContext(ctx, "CREATE TABLE shapes ("+strings.Join(defs, ", ")+")"+d.Dialect.CreateTableSuffix()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, d.Dialect.Rebind("INSERT INTO shapes VALUES ("+strings.Join(marks, ", ")+")"), args...); err != nil {
		t.Fatal(err)
	}
	rows, err := d.R.QueryxContext(ctx, "SELECT * FROM shapes")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatal("no row")
	}
	got, err := rows.SliceScan()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cols {
		if gt := reflect.TypeOf(got[i]); gt != c.want[name] {
			t.Errorf("%s: scanned %T (%v), want %v", c.what, got[i], got[i], c.want[name])
		}
		if tt, ok := got[i].(time.Time); ok {
			if tt.Location() != time.UTC || !tt.Equal(c.in.(time.Time)) {
				t.Errorf("%s: got %v in %v, want %v in UTC", c.what, tt, tt.Location(), c.in)
			}
		}
	}
}
