package bootstrap_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db/dbtest"
)

const groupsSchema = `
Tables:
  - TableName: note
    Permission: 16384
    AccessGroups: [{Name: users, Permission: 114688}, administrators]
    Columns: [{Name: title, ColumnType: label}]
  - TableName: open_note
    Columns: [{Name: title, ColumnType: label}]
  - TableName: closed_note
    Permission: 0
    Columns: [{Name: title, ColumnType: label}]
Actions:
  - {Name: nobody, Label: Nobody, OnType: note, InstanceOptional: true, Permission: 0, OutFields: []}
  - {Name: anyone, Label: Anyone, OnType: note, InstanceOptional: true, OutFields: []}
  - {Name: members, Label: Members, OnType: note, InstanceOptional: true, Permission: 0,
     AccessGroups: [{Name: users, Permission: 524288}], OutFields: []}
`

// TestBootstrapAccessGroupsAndExplicitZero: AccessGroups become link rows
// of the world and action rows, once however often Bootstrap runs; an
// explicit Permission 0 stays 0 and an absent one is allow-all.
func TestBootstrapAccessGroupsAndExplicitZero(t *testing.T) {
	t.Parallel()
	f, err := schema.Parse("schema_groups.yaml", []byte(groupsSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_groups.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := migrations.Apply(ctx, d, sc, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	q := d.Dialect.Quote
	type link struct {
		Group string `db:"name"`
		Perm  int64  `db:"permission"`
	}
	links := func(table, self, join, where string) []link {
		t.Helper()
		var out []link
		sql := "SELECT g.name AS name, l." + q("permission") + " AS permission FROM " + q(join) + " l JOIN " + q("usergroup") +
			" g ON g." + q("id") + " = l." + q("usergroup_id") + " JOIN " + q(table) + " o ON o." + q("id") + " = l." + q(self) +
			" WHERE " + where + " ORDER BY g.name"
		if err := d.R.SelectContext(ctx, &out, sql); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for i := 0; i < 3; i++ {
		if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		got := links("world", "world_id", "world_world_id_has_usergroup_usergroup_id", "o.table_name = 'note'")
		if len(got) != 2 || got[0] != (link{"administrators", 2097151}) || got[1] != (link{"users", 114688}) {
			t.Errorf("run %d: note's world links %v", i, got)
		}
		got = links("action", "action_id", "action_action_id_has_usergroup_usergroup_id", "o.action_name = 'members'")
		if len(got) != 1 || got[0] != (link{"users", 524288}) {
			t.Errorf("run %d: members' action links %v", i, got)
		}
		if got := links("world", "world_id", "world_world_id_has_usergroup_usergroup_id", "o.table_name = 'open_note'"); len(got) != 0 {
			t.Errorf("open_note links %v", got)
		}
	}
	for table, want := range map[string]int64{"closed_note": 0, "open_note": 2097151, "note": 16384} {
		var perm int64
		if err := d.R.GetContext(ctx, &perm, "SELECT "+q("permission")+" FROM "+q("world")+" WHERE table_name = '"+table+"'"); err != nil {
			t.Fatal(err)
		}
		if perm != want {
			t.Errorf("table %s permission %d, want %d", table, perm, want)
		}
	}
	for name, want := range map[string]int64{"nobody": 0, "anyone": 2097151, "members": 0} {
		var perm int64
		if err := d.R.GetContext(ctx, &perm, "SELECT "+q("permission")+" FROM "+q("action")+" WHERE action_name = '"+name+"'"); err != nil {
			t.Fatal(err)
		}
		if perm != want {
			t.Errorf("action %s permission %d, want %d", name, perm, want)
		}
	}
}
