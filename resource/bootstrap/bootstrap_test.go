package bootstrap_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db/dbtest"
)

const bootSchema = `
Tables:
  - TableName: note
    Columns:
      - {Name: title, ColumnType: label}
StateMachineDescriptions:
  - Name: note_flow
    Label: Note flow
    InitialState: draft
    Events:
      - {Name: publish, Label: Publish, Src: [draft], Dst: published}
`

// TestBootstrapRewritesOnlyWhatDiffers: a second Bootstrap with the same
// schema leaves every world, action and smd row as it was (updated_at
// included), puts back what was changed behind its back, and keeps the
// DefaultPermission a world row stores.
func TestBootstrapRewritesOnlyWhatDiffers(t *testing.T) {
	t.Parallel()
	f, err := schema.Parse("schema_boot.yaml", []byte(bootSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_boot.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := migrations.Apply(ctx, d, sc, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	boot := func() {
		t.Helper()
		if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
	}
	q := d.Dialect.Quote
	stamps := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, table := range []string{schema.TableWorld, schema.TableAction, schema.TableSMD} {
			rows, err := d.R.QueryContext(ctx, "SELECT "+q("id")+", "+q("updated_at")+" FROM "+q(table))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id, at string
				if err := rows.Scan(&id, &at); err != nil {
					t.Fatal(err)
				}
				out[table+"/"+id] = at
			}
			rows.Close()
		}
		return out
	}
	count := func(table string) (n int) {
		t.Helper()
		if err := d.R.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+q(table)); err != nil {
			t.Fatal(err)
		}
		return n
	}

	boot()
	first := stamps()
	if n := count(schema.TableWorld); n != len(sc.Tables) {
		t.Errorf("%d world rows for %d tables", n, len(sc.Tables))
	}
	if n := count(schema.TableAction); n != len(sc.Actions) {
		t.Errorf("%d action rows for %d actions", n, len(sc.Actions))
	}
	if n := count(schema.TableSMD); n != len(sc.StateMachines) {
		t.Errorf("%d smd rows for %d state machines", n, len(sc.StateMachines))
	}
	boot()
	second := stamps()
	for k, at := range first {
		if second[k] != at {
			t.Errorf("%s rewritten by an unchanged restart: updated_at %s then %s", k, at, second[k])
		}
	}

	// Changed behind Bootstrap's back: the schema's values come back, but
	// the DefaultPermission the row stores is kept.
	var js string
	get := d.Dialect.Rebind("SELECT world_schema_json FROM " + q(schema.TableWorld) + " WHERE table_name = ?")
	if err := d.R.GetContext(ctx, &js, get, "note"); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	doc["DefaultPermission"] = 12345
	doc["TableDescription"] = "edited"
	edited, _ := json.Marshal(doc)
	set := d.Dialect.Rebind("UPDATE " + q(schema.TableWorld) + " SET world_schema_json = ?, is_hidden = ? WHERE table_name = ?")
	if _, err := d.W.ExecContext(ctx, set, string(edited), true, "note"); err != nil {
		t.Fatal(err)
	}
	boot()
	var hidden bool
	getAll := d.Dialect.Rebind("SELECT world_schema_json, is_hidden FROM " + q(schema.TableWorld) + " WHERE table_name = ?")
	if err := d.R.QueryRowxContext(ctx, getAll, "note").Scan(&js, &hidden); err != nil {
		t.Fatal(err)
	}
	var after struct {
		DefaultPermission int64
		TableDescription  string
	}
	if err := json.Unmarshal([]byte(js), &after); err != nil {
		t.Fatal(err)
	}
	if hidden || after.TableDescription != "" || after.DefaultPermission != 12345 {
		t.Errorf("after restart: is_hidden %v, description %q, DefaultPermission %d; want false, \"\", 12345",
			hidden, after.TableDescription, after.DefaultPermission)
	}
}
