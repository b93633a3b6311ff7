package resource_test

import (
	"reflect"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// TestGetReadsEveryColumnAsListDoes: a get reads its one row by position
// (the dialect's PositionalColumn) and stops after it; every column type,
// a foreign key shown as the target's id, a NULL in every nullable column
// and, on SQLite, values stored in another storage class than the
// column's must come back from the get exactly as the list shows them.
func TestGetReadsEveryColumnAsListDoes(t *testing.T) {
	t.Parallel()
	res, d := streamService(t)
	item, err := res.Create(sys(), "item", resource.Input{Attributes: map[string]any{
		"title": "full", "qty": 12, "day": "2024-02-29", "seen": "2024-01-01 10:00:00",
		"flag": true, "price": 2.5, "secret": "hidden"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"nulls", "odd"} {
		if _, err := res.Create(sys(), "item", resource.Input{Attributes: map[string]any{"title": title}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := res.Create(sys(), "part", resource.Input{Attributes: map[string]any{"label": "p"},
		Relationships: map[string]resource.RelInput{"item_id": {Refs: []resource.Ref{{Type: "item", ID: item.RefID}}}}}); err != nil {
		t.Fatal(err)
	}
	if dbtest.Type() == "sqlite" {
		if _, err := d.W.Exec(`UPDATE item SET qty = 'many', flag = 2, price = 'cheap' WHERE title = 'odd'`); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"item", "part"} {
		rows, err := res.(resource.RowLister).ListRows(sys(), table, resource.Query{PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"item": 3, "part": 1}[table]; len(rows) != want {
			t.Fatalf("%s: listed %d rows, want %d", table, len(rows), want)
		}
		if table == "part" && rows[0].Attrs["item_id"] != item.RefID {
			t.Fatalf("part's item_id is %v, want %s", rows[0].Attrs["item_id"], item.RefID)
		}
		for _, want := range rows {
			got, err := res.Get(sys(), table, want.RefID, resource.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if got.RefID != want.RefID || !reflect.DeepEqual(got.Attrs, want.Attrs) {
				t.Errorf("%s %s: get\n%#v\nlist\n%#v", table, want.RefID, got.Attrs, want.Attrs)
			}
		}
	}
}
