package migrations_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// TestCompositeIndexAddedToAnExistingTable: an index declared later on a
// table holding rows is created by the next start, is not unique (two
// rows with the same values go in), is in the catalogue, and a further
// start changes nothing.
func TestCompositeIndexAddedToAnExistingTable(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "schema_msg.yaml")
	v1 := "Tables:\n  - TableName: msg\n    Columns:\n      - {Name: uid, ColumnType: value}\n      - {Name: note, ColumnType: content}\n" +
		"  - TableName: box\n    Columns:\n      - {Name: name, ColumnType: label}\nRelations:\n  - {Subject: msg, Relation: belongs_to, Object: box}\n"
	if err := os.WriteFile(file, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Apply(ctx, d, compile(t, file), quiet()); err != nil {
		t.Fatal(err)
	}
	box := d.Dialect.Rebind("INSERT INTO " + d.Dialect.Quote("box") + " (name, reference_id, permission, version, created_at) VALUES ('b', ?, 1, 1, CURRENT_TIMESTAMP)")
	if _, err := d.W.ExecContext(ctx, box, []byte("box-0123456789ab")); err != nil {
		t.Fatal(err)
	}
	insert := d.Dialect.Rebind("INSERT INTO " + d.Dialect.Quote("msg") + " (uid, note, box_id, reference_id, permission, version, created_at) " +
		"VALUES (7, 'n', (SELECT MIN(id) FROM " + d.Dialect.Quote("box") + "), ?, 1, 1, CURRENT_TIMESTAMP)")
	if _, err := d.W.ExecContext(ctx, insert, []byte("0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	v2 := strings.Replace(v1, "  - TableName: box\n", "    Indexes: [[box_id, uid], [uid, note]]\n  - TableName: box\n", 1)
	if err := os.WriteFile(file, []byte(v2), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := compile(t, file)
	rep, err := migrations.Apply(ctx, d, sc, quiet())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"i_msg_box_id_uid", "i_msg_uid_note"}
	for _, name := range want {
		if !slices.Contains(rep.CreatedIndexes, name) {
			t.Errorf("created %v, want %s", rep.CreatedIndexes, name)
		}
	}
	live, err := d.Dialect.Indexes(ctx, d.R, "msg")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		if !slices.ContainsFunc(live, func(s string) bool { return strings.EqualFold(s, name) }) {
			t.Errorf("catalogue lists %v, want %s", live, name)
		}
	}
	if _, err := d.W.ExecContext(ctx, insert, []byte("fedcba9876543210")); err != nil {
		t.Errorf("a second row with the same indexed values: %v", err)
	}
	if rep, err := migrations.Apply(ctx, d, sc, quiet()); err != nil || rep.Changed() {
		t.Errorf("restart: %+v, %v", rep, err)
	}
}
