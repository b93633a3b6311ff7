package migrations_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/storage/db/dbtest"
)

func compile(t *testing.T, files ...string) *schema.Schema {
	t.Helper()
	var srcs []schema.Source
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := schema.Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, schema.Source{Path: f, File: file})
	}
	sc, err := schema.Compile(srcs...)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return sc
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// assertMatches checks that every table and column of sc exists in d.
func assertMatches(t *testing.T, d *db.DB, sc *schema.Schema) {
	t.Helper()
	ctx := context.Background()
	tables, err := d.Dialect.Tables(ctx, d.R)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, name := range tables {
		have[strings.ToLower(name)] = true
	}
	for _, tb := range sc.Tables {
		if !have[tb.TableName] {
			t.Errorf("table %s missing", tb.TableName)
			continue
		}
		cols, err := d.Dialect.Columns(ctx, d.R, tb.TableName)
		if err != nil {
			t.Fatal(err)
		}
		hc := map[string]bool{}
		for _, c := range cols {
			hc[strings.ToLower(c.Name)] = true
		}
		for _, c := range tb.Columns {
			if !hc[c.ColumnName] {
				t.Errorf("column %s.%s missing", tb.TableName, c.ColumnName)
			}
		}
	}
	if !have[schema.ConfigTable] {
		t.Errorf("table %s missing", schema.ConfigTable)
	}
}

func TestSystemTablesAndEverythingSchema(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	sc := compile(t, "testdata/schema_everything.yaml")
	rep, err := migrations.Apply(context.Background(), d, sc, quiet())
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if len(rep.CreatedTables) < 80 {
		t.Errorf("created %d tables, want the ~80 system tables plus ours", len(rep.CreatedTables))
	}
	assertMatches(t, d, sc)
	for _, name := range []string{"everything_everything_id_has_tag_tag_id", "everything_audit", "everything_state",
		"everything_watched_has_project_watcher_project", schema.TableMembership} {
		if _, ok := sc.Table(name); !ok {
			t.Errorf("compiled schema lacks %s", name)
		}
	}
	// A second run changes nothing.
	rep, err = migrations.Apply(context.Background(), d, sc, quiet())
	if err != nil {
		t.Fatalf("second apply: %v", err)
	}
	if rep.Changed() {
		t.Errorf("second apply changed %+v", rep)
	}
}

func TestAddColumnAndTableKeepsRows(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	dir := t.TempDir()
	v1 := filepath.Join(dir, "schema_v1.yaml")
	if err := os.WriteFile(v1, []byte("Tables:\n  - TableName: note\n    Columns:\n      - {Name: title, ColumnType: label}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Apply(ctx, d, compile(t, v1), quiet()); err != nil {
		t.Fatal(err)
	}
	q := d.Dialect.Rebind("INSERT INTO " + d.Dialect.Quote("note") + " (title, reference_id, permission, version, created_at) VALUES (?, ?, 1, 1, CURRENT_TIMESTAMP)")
	if _, err := d.W.ExecContext(ctx, q, "kept", []byte("0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	v2 := "Tables:\n  - TableName: note\n    Columns:\n      - {Name: title, ColumnType: label}\n      - {Name: body, ColumnType: content, IsNullable: true}\n      - {Name: stars, ColumnType: rating, DefaultValue: '3'}\n  - TableName: extra\n    Columns:\n      - {Name: x, ColumnType: label}\n"
	if err := os.WriteFile(v1, []byte(v2), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := compile(t, v1)
	rep, err := migrations.Apply(ctx, d, sc, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.AddedColumns) != 2 || !contains(rep.CreatedTables, "extra") {
		t.Errorf("report %+v, want 2 added columns and table extra", rep)
	}
	var title string
	var stars int
	if err := d.R.QueryRowxContext(ctx, "SELECT title, stars FROM "+d.Dialect.Quote("note")).Scan(&title, &stars); err != nil {
		t.Fatal(err)
	}
	if title != "kept" || stars != 3 {
		t.Errorf("row after migration: %q %d, want kept 3", title, stars)
	}
	assertMatches(t, d, sc)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRestartChecksOnlyWhatChanged: a restart with the same schema and an
// untouched database changes nothing and does not grow the ledger (SQLite
// skips the catalogue read through the verified mark), and a change made
// behind Apiary's back is still found and repaired.
func TestRestartChecksOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	sc := compile(t, "testdata/schema_everything.yaml")
	if _, err := migrations.Apply(ctx, d, sc, quiet()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if rep, err := migrations.Apply(ctx, d, sc, quiet()); err != nil || rep.Changed() {
			t.Fatalf("restart %d: %+v, %v", i, rep, err)
		}
	}
	var marks int
	if err := d.R.GetContext(ctx, &marks, "SELECT COUNT(*) FROM "+d.Dialect.Quote("_apiary_migration")+" WHERE statement LIKE '-- schema %'"); err != nil {
		t.Fatal(err)
	}
	if want := map[bool]int{true: 1, false: 0}[d.Dialect.Name() == "sqlite"]; marks != want {
		t.Errorf("%d verified marks in the ledger, want %d", marks, want)
	}

	const idx = "i_action_action_name"
	drop := "DROP INDEX " + d.Dialect.Quote(idx)
	if d.Dialect.Name() == "mysql" {
		drop += " ON " + d.Dialect.Quote("action")
	}
	if _, err := d.W.ExecContext(ctx, drop); err != nil {
		t.Fatal(err)
	}
	rep, err := migrations.Apply(ctx, d, sc, quiet())
	if err != nil || !contains(rep.CreatedIndexes, idx) {
		t.Fatalf("after dropping %s: %+v, %v", idx, rep, err)
	}
	if rep, err := migrations.Apply(ctx, d, sc, quiet()); err != nil || rep.Changed() {
		t.Fatalf("restart after repair: %+v, %v", rep, err)
	}
}
