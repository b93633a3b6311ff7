package resource_test

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
	"github.com/apiary/apiary/storage/db/dbtest"
)

const streamSchema = `
Tables:
  - TableName: item
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: qty, ColumnType: measurement, DataType: bigint, IsNullable: true}
      - {Name: day, ColumnType: date, DataType: date, IsNullable: true}
      - {Name: seen, ColumnType: datetime, DataType: datetime, IsNullable: true}
      - {Name: flag, ColumnType: truefalse, DataType: boolean, IsNullable: true}
      - {Name: price, ColumnType: float, DataType: double, IsNullable: true}
      - {Name: secret, ColumnType: password, IsNullable: true}
  - TableName: part
    Columns:
      - {Name: label, ColumnType: label}
Relations:
  - {Subject: part, Relation: belongs_to, Object: item}
`

// streamService is a service on a fresh database, and the database.
func streamService(t *testing.T) (resource.Service, *db.DB) {
	t.Helper()
	return yamlService(t, streamSchema)
}

// yamlService is a service with the schema yaml on a fresh database, and
// the database.
func yamlService(t *testing.T, yaml string) (resource.Service, *db.DB) {
	t.Helper()
	f, err := schema.Parse("schema_test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "schema_test.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	if _, err := migrations.Apply(ctx, d, sc, log); err != nil {
		t.Fatal(err)
	}
	if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return resource.New(resource.Options{DB: d, Schema: schema.NewHolder(sc), Log: log, PasswordCost: 4}), d
}

// listAll reads every row through ListRows, size rows a page, as the
// values of cols.
func listAll(ctx context.Context, res resource.Service, table string, cols []string, size int) ([][]any, error) {
	var out [][]any
	after := ""
	for {
		rows, err := res.(resource.RowLister).ListRows(ctx, table, resource.Query{PageSize: size, After: after, Sort: []resource.SortKey{{Column: "id"}}})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			vals := make([]any, len(cols))
			for i, c := range cols {
				vals[i] = r.Attrs[c]
			}
			out = append(out, vals)
		}
		if len(rows) < size {
			return out, nil
		}
		after = rows[len(rows)-1].RefID
	}
}

func streamAll(ctx context.Context, res resource.Service, table string, cols []string, size int) ([][]any, error) {
	var out [][]any
	err := res.(resource.RowStreamer).StreamRows(ctx, table, cols, size, func(vals []any) error {
		out = append(out, append([]any(nil), vals...))
		return nil
	})
	return out, err
}

func TestExportStreamRowsMatchesListRows(t *testing.T) {
	t.Parallel()
	res, d := streamService(t)
	user := func(name string) context.Context {
		u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": name, "email": name + "@example.test", "password": name + "-password"}})
		if err != nil {
			t.Fatal(err)
		}
		return auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: name + "@example.test"})
	}
	ann, dan := user("ann"), user("dan")
	var first resource.Row
	for i, c := range []struct {
		ctx   context.Context
		attrs map[string]any
	}{
		{ann, map[string]any{"title": "plain", "qty": "3", "day": "2024-02-29", "seen": "2024-01-01 10:00:00.123456789", "flag": "yes", "price": "1.5", "secret": "pw"}},
		{ann, map[string]any{"title": "nulls"}},
		{dan, map[string]any{"title": "dan's", "seen": "2024-06-01T08:00:00+02:00"}},
		{sys(), map[string]any{"title": "system's", "day": "1999-12-31"}},
		{ann, map[string]any{"title": "odd1", "seen": "2024-01-01 00:00:00"}},
		{ann, map[string]any{"title": "odd2", "seen": "2024-01-01 00:00:00"}},
		{ann, map[string]any{"title": "odd3"}},
		{ann, map[string]any{"title": "hidden"}},
	} {
		r, err := res.Create(c.ctx, "item", resource.Input{Attributes: c.attrs})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = r
		}
		if c.attrs["title"] == "hidden" {
			if _, err := res.Update(sys(), "item", r.RefID, resource.Input{Attributes: map[string]any{"permission": 0}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := res.Create(ann, "part", resource.Input{Attributes: map[string]any{"label": "linked", "item_id": first.RefID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := res.Create(dan, "part", resource.Input{Attributes: map[string]any{"label": "dan's", "item_id": first.RefID}}); err != nil {
		t.Fatal(err)
	}
	if dbtest.Type() == "sqlite" {
		// Times in forms the driver did not write: the stream must read
		// them as the driver does.
		for _, u := range []string{
			`UPDATE item SET seen = '2024-01-01 05:00:00' WHERE title = 'odd1'`,
			`UPDATE item SET seen = '2024-01-01T05:00:00Z', day = 'not a date' WHERE title = 'odd2'`,
			`UPDATE item SET seen = 1700000000 WHERE title = 'odd3'`,
			`UPDATE item SET seen = '2024-01-01 05:00:00.5 +0000 UTC' WHERE title = 'nulls'`,
		} {
			if _, err := d.W.Exec(u); err != nil {
				t.Fatal(err)
			}
		}
	}
	itemCols := []string{"__type", "reference_id", "title", "qty", "day", "seen", "flag", "price", "secret", "permission",
		"user_account_id", "created_at", "updated_at", "id", "version", "nosuch"}
	partCols := []string{"label", "item_id", "reference_id", "user_account_id"}
	for _, p := range []struct {
		name string
		ctx  context.Context
	}{{"system", sys()}, {"ann", ann}, {"dan", dan}, {"guest", context.Background()}} {
		for _, tc := range []struct {
			table string
			cols  []string
		}{{"item", itemCols}, {"part", partCols}} {
			for _, size := range []int{2, 1000} {
				want, werr := listAll(p.ctx, res, tc.table, tc.cols, size)
				got, gerr := streamAll(p.ctx, res, tc.table, tc.cols, size)
				if (werr == nil) != (gerr == nil) || (werr != nil && !errors.Is(gerr, resource.ErrForbidden)) {
					t.Errorf("%s %s: ListRows %v, StreamRows %v", p.name, tc.table, werr, gerr)
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s page %d:\n stream %v\n list   %v", p.name, tc.table, size, got, want)
				}
			}
		}
	}
	if rows, _ := streamAll(sys(), res, "item", []string{"title"}, 3); len(rows) != 8 {
		t.Errorf("system sees %d items, want 8", len(rows))
	}
	if rows, _ := streamAll(ann, res, "item", []string{"title"}, 3); len(rows) == 0 || len(rows) >= 8 {
		t.Errorf("ann sees %d items", len(rows))
	}
	stop := errors.New("stop")
	n := 0
	err := res.(resource.RowStreamer).StreamRows(sys(), "item", []string{"title"}, 2, func([]any) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("an error of fn: %v after %d rows", err, n)
	}
}
