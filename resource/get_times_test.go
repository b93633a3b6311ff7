package resource_test

import (
	"reflect"
	"testing"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// TestGetReadsTimesAsListDoes: a get by id reads SQLite's time columns as
// stored text and parses them itself; every row, whatever form its times
// are stored in, must come back exactly as the list (the driver's
// reading) shows it.
func TestGetReadsTimesAsListDoes(t *testing.T) {
	t.Parallel()
	res, d := streamService(t)
	for _, attrs := range []map[string]any{
		{"title": "plain", "day": "2024-02-29", "seen": "2024-01-01 10:00:00.123456789"},
		{"title": "zone", "seen": "2024-06-01T08:00:00+02:00"},
		{"title": "nulls"},
		{"title": "odd1", "seen": "2024-01-01 00:00:00"},
		{"title": "odd2", "seen": "2024-01-01 00:00:00"},
		{"title": "odd3"},
		{"title": "odd4"},
	} {
		if _, err := res.Create(sys(), "item", resource.Input{Attributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	if dbtest.Type() == "sqlite" {
		for _, u := range []string{
			`UPDATE item SET seen = '2024-01-01 05:00:00' WHERE title = 'odd1'`,
			`UPDATE item SET seen = '2024-01-01T05:00:00Z', day = 'not a date' WHERE title = 'odd2'`,
			`UPDATE item SET seen = 1700000000 WHERE title = 'odd3'`,
			`UPDATE item SET seen = 1700000000.5, day = x'00' WHERE title = 'odd4'`,
			`UPDATE item SET seen = '2024-01-01 05:00:00.5 +0000 UTC' WHERE title = 'nulls'`,
		} {
			if _, err := d.W.Exec(u); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, err := res.(resource.RowLister).ListRows(sys(), "item", resource.Query{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 {
		t.Fatalf("listed %d rows, want 7", len(rows))
	}
	for _, want := range rows {
		got, err := res.Get(sys(), "item", want.RefID, resource.Query{})
		if err != nil {
			t.Fatalf("%v: %v", want.Attrs["title"], err)
		}
		if !reflect.DeepEqual(got.Attrs, want.Attrs) {
			t.Errorf("%v: get\n%#v\nlist\n%#v", want.Attrs["title"], got.Attrs, want.Attrs)
		}
		if want.Attrs["title"] == "plain" && want.Attrs["seen"] == nil {
			t.Error("plain row lost its time")
		}
	}
}
