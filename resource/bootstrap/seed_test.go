package bootstrap_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// TestRunSeedsAFreshInstance: what a fresh instance has after Run, and a
// second Run with another storage path keeps the values already written.
func TestRunSeedsAFreshInstance(t *testing.T) {
	t.Parallel()
	f, err := schema.Parse("schema_seed.yaml", []byte("Tables:\n  - TableName: note\n    Columns: [{Name: title, ColumnType: label}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_seed.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := migrations.Apply(ctx, d, sc, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: "/first"}); err != nil {
		t.Fatal(err)
	}
	cs := resource.NewConfigStore(d)
	first, err := cs.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first["yjs.storage.path"] != "/first/yjs-documents" || first[resource.KeyJWTSecret] == "" || len(first[resource.KeyEncryption]) != 32 {
		t.Fatalf("config defaults = %v", first)
	}
	q := d.Dialect.Quote
	count := func(table, where string, args ...any) int {
		t.Helper()
		var n int
		if err := d.R.QueryRowxContext(ctx, d.Dialect.Rebind("SELECT COUNT(*) FROM "+q(table)+" WHERE "+where), args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, g := range []string{schema.GroupGuests, schema.GroupAdmins, schema.GroupUsers} {
		if count(schema.TableUsergroup, "name = ?", g) != 1 {
			t.Errorf("usergroup %s not seeded once", g)
		}
	}
	if count(schema.TableUser, "email = ?", resource.GuestEmail) != 1 {
		t.Error("no guest account")
	}
	if count(schema.TableWorld, "table_name = ?", "note") != 1 {
		t.Error("no world row for note")
	}
	// No administrator yet: every world row is open (contract §4.4).
	if n := count(schema.TableWorld, q("permission")+" <> ?", int64(auth.AllowAll)); n != 0 {
		t.Errorf("%d world rows are not open before an administrator exists", n)
	}

	if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: "/second"}); err != nil {
		t.Fatal(err)
	}
	second, err := cs.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"yjs.storage.path", resource.KeyJWTSecret, resource.KeyEncryption, resource.KeyJWTIssuer} {
		if second[k] != first[k] {
			t.Errorf("%s changed on the second run: %q -> %q", k, first[k], second[k])
		}
	}
	if count(schema.TableUser, "email = ?", resource.GuestEmail) != 1 || count(schema.TableWorld, "table_name = ?", "note") != 1 {
		t.Error("the second run duplicated seeded rows")
	}
}
