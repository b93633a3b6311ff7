package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// timeType is the column type each dialect uses for a timestamp in these tests.
func timeType(d db.Dialect) string {
	switch d.Name() {
	case "postgres":
		return "TIMESTAMPTZ"
	case "mysql":
		return "DATETIME(6)"
	}
	return "TIMESTAMP"
}

// createTables makes a parent table with awkward identifiers and a child with a foreign key.
func createTables(t *testing.T, d *db.DB) {
	t.Helper()
	q := d.Dialect.Quote
	stmts := []string{
		"CREATE TABLE " + q("order") + " (" + d.Dialect.AutoIncrementPK("id") + ", " +
			q("email") + " VARCHAR(100) NOT NULL, " +
			q("group") + " VARCHAR(50) NULL, " +
			q(`we"ird`) + " INTEGER NULL, " +
			q("created_at") + " " + timeType(d.Dialect) + " NULL)" + d.Dialect.CreateTableSuffix(),
		"CREATE UNIQUE INDEX " + q("order_email_uq") + " ON " + q("order") + " (" + q("email") + ")",
		"CREATE INDEX " + q("order_group_ix") + " ON " + q("order") + " (" + q("group") + ")",
		"CREATE TABLE " + q("line") + " (" + d.Dialect.AutoIncrementPK("id") + ", " +
			q("order_id") + " BIGINT NOT NULL REFERENCES " + q("order") + " (" + q("id") + "))" + d.Dialect.CreateTableSuffix(),
	}
	ctx := context.Background()
	for _, s := range stmts {
		if _, err := d.W.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// insertOrder inserts one row into "order" and returns its id.
func insertOrder(ctx context.Context, d *db.DB, tx sqlx.ExtContext, email any) (int64, error) {
	q := d.Dialect.Quote
	return d.Dialect.InsertReturningID(ctx, tx,
		"INSERT INTO "+q("order")+" ("+q("email")+", "+q("group")+", "+q(`we"ird`)+") VALUES (?, ?, ?)", email, "g", 7)
}

func TestWritesAndErrorMapping(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	createTables(t, d)
	ctx := context.Background()
	q := d.Dialect.Quote

	var first int64
	err := d.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		first, err = insertOrder(ctx, d, tx, "a@example.test")
		return err
	})
	if err != nil || first != 1 {
		t.Fatalf("first insert: id %d, err %v", first, err)
	}

	scenarios := []struct {
		name string
		run  func(tx *sqlx.Tx) error
		want error
	}{
		{"second row gets id 2", func(tx *sqlx.Tx) error {
			id, err := insertOrder(ctx, d, tx, "b@example.test")
			if err == nil && id != 2 {
				return fmt.Errorf("id %d, want 2", id)
			}
			return err
		}, nil},
		{"duplicate email", func(tx *sqlx.Tx) error {
			_, err := insertOrder(ctx, d, tx, "a@example.test")
			return err
		}, db.ErrConflict},
		{"null email", func(tx *sqlx.Tx) error {
			_, err := insertOrder(ctx, d, tx, nil)
			return err
		}, db.ErrNotNull},
		{"dangling foreign key", func(tx *sqlx.Tx) error {
			_, err := d.Dialect.InsertReturningID(ctx, tx, "INSERT INTO "+q("line")+" ("+q("order_id")+") VALUES (?)", 999)
			return err
		}, db.ErrForeignKey},
		{"no rows", func(tx *sqlx.Tx) error {
			var email string
			err := tx.QueryRowxContext(ctx, d.Dialect.Rebind("SELECT "+q("email")+" FROM "+q("order")+" WHERE "+q("id")+" = ?"), 12345).Scan(&email)
			return d.Dialect.MapError(err)
		}, db.ErrNotFound},
	}
	// Run in order: the second scenario's row must exist before the others.
	for _, s := range scenarios {
		err := d.InTx(ctx, s.run)
		if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
			t.Errorf("%s: err = %v, want %v", s.name, err, s.want)
		}
	}
}

func TestInTxRollsBack(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	createTables(t, d)
	ctx := context.Background()
	boom := errors.New("boom")

	scenarios := []struct {
		name  string
		fail  func() error
		panic bool
	}{
		{name: "error", fail: func() error { return boom }},
		{name: "panic", fail: func() error { panic("boom") }, panic: true},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			email := s.name + "@example.test"
			var err error
			recovered := func() (r any) {
				defer func() { r = recover() }()
				err = d.InTx(ctx, func(tx *sqlx.Tx) error {
					if _, err := insertOrder(ctx, d, tx, email); err != nil {
						return err
					}
					return s.fail()
				})
				return nil
			}()
			if s.panic && recovered == nil {
				t.Fatal("InTx swallowed the panic")
			}
			if !s.panic && !errors.Is(err, boom) {
				t.Fatalf("err = %v, want boom", err)
			}
			var n int
			query := d.Dialect.Rebind("SELECT COUNT(*) FROM " + d.Dialect.Quote("order") + " WHERE " + d.Dialect.Quote("email") + " = ?")
			if err := d.R.GetContext(ctx, &n, query, email); err != nil || n != 0 {
				t.Fatalf("after rollback: count %d, err %v", n, err)
			}
			// The writer must be usable again (no leaked transaction).
			if err := d.InTx(ctx, func(tx *sqlx.Tx) error { _, err := insertOrder(ctx, d, tx, email); return err }); err != nil {
				t.Fatalf("writer unusable after rollback: %v", err)
			}
		})
	}
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	tables, err := d.Dialect.Tables(ctx, d.R)
	if err != nil || len(tables) != 0 {
		t.Fatalf("fresh database: tables %v, err %v", tables, err)
	}
	v0, versioned, err := d.Dialect.SchemaVersion(ctx, d.W)
	if err != nil || versioned != (d.Dialect.Name() == "sqlite") {
		t.Fatalf("SchemaVersion = %d, %v, %v", v0, versioned, err)
	}
	createTables(t, d)
	if v1, _, err := d.Dialect.SchemaVersion(ctx, d.W); err != nil || (versioned && v1 == v0) {
		t.Errorf("SchemaVersion after DDL = %d (before %d), %v", v1, v0, err)
	}

	tables, err = d.Dialect.Tables(ctx, d.R)
	if err != nil || !slices.Equal(tables, []string{"line", "order"}) {
		t.Fatalf("Tables = %v, %v", tables, err)
	}
	cols, err := d.Dialect.Columns(ctx, d.R, "order")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name     string
		typeHint string
		nullable bool
	}{
		{"id", "int", false},
		{"email", "char", false},
		{"group", "char", true},
		{`we"ird`, "int", true},
		{"created_at", "time", true},
	}
	if len(cols) != len(want) {
		t.Fatalf("Columns = %+v", cols)
	}
	for i, w := range want {
		c := cols[i]
		if c.Name != w.name || c.Nullable != w.nullable || !strings.Contains(strings.ToLower(c.Type), w.typeHint) {
			t.Errorf("column %d = %+v, want %s (%s…, nullable %v)", i, c, w.name, w.typeHint, w.nullable)
		}
	}
	idx, err := d.Dialect.Indexes(ctx, d.R, "order")
	if err != nil || !slices.Contains(idx, "order_email_uq") || !slices.Contains(idx, "order_group_ix") {
		t.Errorf("Indexes = %v, %v", idx, err)
	}
	if missing, err := d.Dialect.Columns(ctx, d.R, "nope"); err != nil || len(missing) != 0 {
		t.Errorf("Columns(nope) = %v, %v", missing, err)
	}
	// The catalogue says at once what Columns and Indexes say per table.
	cat, err := d.Dialect.Catalog(ctx, d.R)
	if err != nil || len(cat) != len(tables) {
		t.Fatalf("Catalog = %v, %v", cat, err)
	}
	for _, name := range tables {
		cols, _ := d.Dialect.Columns(ctx, d.R, name)
		idx, _ := d.Dialect.Indexes(ctx, d.R, name)
		if got := cat[name]; got == nil || !slices.Equal(got.Columns, cols) || !slices.Equal(got.Indexes, idx) {
			t.Errorf("Catalog[%s] = %+v, want columns %+v, indexes %v", name, got, cols, idx)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	createTables(t, d)
	ctx := context.Background()
	q := d.Dialect.Quote
	in := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
	want := in
	if d.Dialect.Name() != "sqlite" { // PostgreSQL and MySQL keep microseconds
		want = in.Truncate(time.Microsecond)
	}
	ids := map[string]int64{}
	for _, zone := range []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800)} {
		err := d.InTx(ctx, func(tx *sqlx.Tx) error {
			id, err := d.Dialect.InsertReturningID(ctx, tx, "INSERT INTO "+q("order")+" ("+q("email")+", "+q("created_at")+") VALUES (?, ?)",
				zone.String()+"@example.test", want.In(zone))
			ids[zone.String()] = id
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for zone, id := range ids {
		var got time.Time
		var anyGot any
		query := d.Dialect.Rebind("SELECT " + q("created_at") + " FROM " + q("order") + " WHERE " + q("id") + " = ?")
		if err := d.R.GetContext(ctx, &got, query, id); err != nil {
			t.Fatalf("%s: scan time.Time: %v", zone, err)
		}
		if !got.Equal(want) {
			t.Errorf("%s: got %v, want %v", zone, got, want)
		}
		if err := d.R.QueryRowxContext(ctx, query, id).Scan(&anyGot); err != nil {
			t.Fatal(err)
		}
		if tt, ok := anyGot.(time.Time); !ok || !tt.Equal(want) {
			t.Errorf("%s: scan into any gave %T %v, want time.Time", zone, anyGot, anyGot)
		}
	}
}

func TestRebindRunsEverywhere(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	createTables(t, d)
	ctx := context.Background()
	q := d.Dialect.Quote
	if err := d.InTx(ctx, func(tx *sqlx.Tx) error { _, err := insertOrder(ctx, d, tx, "?"); return err }); err != nil {
		t.Fatal(err)
	}
	var n int
	query := d.Dialect.Rebind("SELECT COUNT(*) FROM " + q("order") + " WHERE " + q("email") + " = '?' AND " +
		q("group") + " = ? AND " + q(`we"ird`) + " = ?" + d.Dialect.LimitOffset(5, 0))
	if err := d.R.GetContext(ctx, &n, query, "g", 7); err != nil || n != 1 {
		t.Fatalf("%s: count %d, %v", query, n, err)
	}
	var emails []string
	query = "SELECT " + q("email") + " FROM " + q("order") + " ORDER BY " + q("id") + d.Dialect.LimitOffset(0, 1)
	if err := d.R.SelectContext(ctx, &emails, query); err != nil || len(emails) != 0 {
		t.Fatalf("%s: %v, %v", query, emails, err)
	}
}

func TestILike(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	createTables(t, d)
	ctx := context.Background()
	q := d.Dialect.Quote
	for _, e := range []string{"Ann_X@Example.test", "annax@example.test"} {
		if err := d.InTx(ctx, func(tx *sqlx.Tx) error { _, err := insertOrder(ctx, d, tx, e); return err }); err != nil {
			t.Fatal(err)
		}
	}
	scenarios := []struct {
		pattern string
		want    int
	}{
		{"ann%", 2},
		{"%EXAMPLE%", 2},
		{db.EscapeLike("ann_") + "%", 1},
		{"zzz%", 0},
	}
	for _, s := range scenarios {
		var n int
		query := d.Dialect.Rebind("SELECT COUNT(*) FROM " + q("order") + " WHERE " + d.Dialect.ILike(q("email")))
		if err := d.R.GetContext(ctx, &n, query, s.pattern); err != nil || n != s.want {
			t.Errorf("%q: %d rows, err %v; want %d", s.pattern, n, err, s.want)
		}
	}
}

func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	createTables(t, d)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for i := range 40 {
		wg.Go(func() {
			errs <- d.InTx(ctx, func(tx *sqlx.Tx) error {
				_, err := insertOrder(ctx, d, tx, fmt.Sprintf("w%d@example.test", i))
				return err
			})
			var n int
			errs <- d.R.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+d.Dialect.Quote("order"))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if s := d.Stats(); s["dialect"] != d.Dialect.Name() || s["writer"] == nil {
		t.Errorf("Stats = %v", s)
	}
}

func TestReaderPool(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	createTables(t, d)
	_, err := d.R.ExecContext(context.Background(), "INSERT INTO "+d.Dialect.Quote("order")+" ("+d.Dialect.Quote("email")+") VALUES ('r@example.test')")
	if d.R != d.W && err == nil {
		t.Error("the separate reader pool accepted a write")
	}
	if d.R == d.W && err != nil {
		t.Errorf("shared pool refused a write: %v", err)
	}
}

func TestSessionSettings(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	queries := map[string]map[string]string{
		"sqlite":   {"PRAGMA foreign_keys": "1", "PRAGMA busy_timeout": "10000", "PRAGMA synchronous": "1"},
		"postgres": {"SHOW timezone": "UTC"},
		"mysql":    {"SELECT @@session.time_zone": "+00:00", "SELECT @@character_set_connection": "utf8mb4", "SELECT @@collation_connection": "utf8mb4_unicode_ci"},
	}[d.Dialect.Name()]
	for q, want := range queries {
		var got string
		if err := d.W.GetContext(ctx, &got, q); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", q, got, err, want)
		}
	}
}
