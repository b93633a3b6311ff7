package resource

import (
	"context"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/storage/db/dbtest"
)

// The statement cache answers like plain queries, prepares what a
// transaction missed only after it ends (the SQLite writer has one
// connection), survives a schema change and a reset, and stays bounded.
func TestStmtCache(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.W.ExecContext(ctx, "CREATE TABLE sc_t (a INTEGER, b TEXT)"); err != nil {
		t.Fatal(err)
	}
	w, r := newStmtCache(d.W), newStmtCache(d.R)
	ins := d.Dialect.Rebind("INSERT INTO sc_t (a, b) VALUES (?, ?)")
	for i := range 3 {
		err := d.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := cachedTx{Tx: tx, c: w}.ExecContext(ctx, ins, i, "v"+strconv.Itoa(i))
			return err
		})
		if err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
		_, prepared := w.m[ins]
		if want := i > 0; prepared != want {
			t.Errorf("after write %d: prepared=%v, want %v", i, prepared, want)
		}
		w.prepareWanted(ctx)
	}
	count := func() int {
		t.Helper()
		var n int
		if err := (cachedDB{DB: d.R, c: r}).QueryRowxContext(ctx, "SELECT COUNT(*) FROM sc_t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	if _, err := d.W.ExecContext(ctx, "ALTER TABLE sc_t ADD COLUMN c TEXT"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 3 {
		t.Errorf("count after ALTER = %d", n)
	}
	r.reset()
	if n := count(); n != 3 || len(r.m) != 1 {
		t.Errorf("after reset: count %d, %d statements", n, len(r.m))
	}
	if _, err := (cachedDB{DB: d.R, c: r}).QueryContext(ctx, "SELECT nope FROM sc_t"); err == nil {
		t.Error("a bad query succeeded")
	}
	for i := range maxCachedStmts + 5 {
		if _, err := r.get(ctx, "SELECT "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(r.m) > maxCachedStmts {
		t.Errorf("%d statements cached, bound %d", len(r.m), maxCachedStmts)
	}
}
