package resource_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const bulkSchema = `
Tables:
  - TableName: item
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: qty, ColumnType: measurement, DataType: bigint, IsNullable: true}
      - {Name: stars, ColumnType: rating, DefaultValue: "3"}
      - {Name: contact, ColumnType: email, IsNullable: true}
`

func TestCreateManyMatchesCreate(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, bulkSchema)
	u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.test", "password": "ann-password"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: "ann@example.test"})
	rec := &recorder{}
	cancel := res.Subscribe(rec.add)
	defer cancel()

	one, err := res.Create(ctx, "item", resource.Input{Attributes: map[string]any{"title": "single", "qty": "4"}})
	if err != nil {
		t.Fatal(err)
	}
	bc := res.(resource.BulkCreator)
	id := "01a20000-0000-7000-8000-0000000000aa"
	rowErrs, err := bc.CreateMany(ctx, "item", []resource.Input{
		{Attributes: map[string]any{"title": "bulk", "qty": "4"}},
		{Attributes: map[string]any{"title": "bad qty", "qty": "many"}},
		{Attributes: map[string]any{"qty": "1"}}, // title is required
		{ID: id, Attributes: map[string]any{"title": "with id", "contact": "x@example.test"}},
		{Attributes: map[string]any{"title": "bad mail", "contact": "not an email"}},
		{ID: "nope", Attributes: map[string]any{"title": "bad id"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, wantErr := range []bool{false, true, true, false, true, true} {
		if (rowErrs[i] != nil) != wantErr {
			t.Errorf("row %d: %v", i, rowErrs[i])
		}
		var re *resource.Error
		if rowErrs[i] != nil && (!errors.As(rowErrs[i], &re) || (re.Kind != resource.ErrValidation && re.Kind != resource.ErrBadRequest)) {
			t.Errorf("row %d: not a validation error: %v", i, rowErrs[i])
		}
	}
	p, err := res.List(ctx, "item", resource.Query{PageSize: 10, Sort: []resource.SortKey{{Column: "title"}}})
	if err != nil || p.Total != 3 {
		t.Fatalf("rows %d %v", p.Total, err)
	}
	var bulk resource.Row
	for _, r := range p.Rows {
		if r.Attrs["title"] == "bulk" {
			bulk = r
		}
	}
	for _, k := range []string{"qty", "stars", "permission", "user_account_id"} {
		if bulk.Attrs[k] != one.Attrs[k] {
			t.Errorf("%s: bulk %v, create %v", k, bulk.Attrs[k], one.Attrs[k])
		}
	}
	if _, err := res.Get(ctx, "item", id, resource.Query{}); err != nil {
		t.Errorf("client id kept: %v", err)
	}
	if n := rec.len(); n != 3 {
		t.Errorf("change events %d, want 3", n)
	}

	// A duplicate id fails the whole call: nothing of it is written.
	if _, err := bc.CreateMany(ctx, "item", []resource.Input{{Attributes: map[string]any{"title": "x"}}, {ID: id, Attributes: map[string]any{"title": "dup"}}}); !errors.Is(err, resource.ErrConflict) {
		t.Errorf("duplicate id: %v", err)
	}
	if p, _ := res.List(ctx, "item", resource.Query{PageSize: 1}); p.Total != 3 {
		t.Errorf("rows after failed calls: %d", p.Total)
	}
}
