package schema

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeColumns is every type with its default DataType, plus columns with
// tight or unusual DataTypes.
func fakeColumns() []Column {
	var cols []Column
	for _, ct := range Types() {
		cols = append(cols, Column{Name: ct.Name, ColumnName: "c", ColumnType: ct.Name, DataType: ct.DataTypes[0]})
	}
	cols = append(cols,
		Column{Name: "e", ColumnType: "enum", DataType: "varchar(20)", Options: []ColumnOption{{Value: "Draft"}, {Value: "Published"}, {Value: 7}}},
		Column{Name: "e2", ColumnType: "enum"},
		Column{Name: "email8", ColumnType: "email", DataType: "varchar(8)"},
		Column{Name: "url5", ColumnType: "url", DataType: "varchar(5)"},
		Column{Name: "label3", ColumnType: "label", DataType: "char(3)"},
		Column{Name: "id20", ColumnType: "id", DataType: "varchar(20)"},
		Column{Name: "value", ColumnType: "value", DataType: "int(11)"},
		Column{Name: "alt", ColumnType: "location.altitude", DataType: "int(11)"},
		Column{Name: "ts", ColumnType: "timestamp", DataType: "bigint"},
		Column{Name: "flag", ColumnType: "label", DataType: "bool"},
		Column{Name: "r10", ColumnType: "rating.10", DataType: "tinyint"},
		Column{Name: "dec", ColumnType: "float", DataType: "decimal(5,2)"},
		Column{Name: "img", ColumnType: "image.png|jpg", DataType: "text"},
		Column{Name: "tt", ColumnType: "time", DataType: "time"},
		Column{Name: "pw", ColumnType: "password", DataType: "varchar(60)"},
		Column{Name: "enc", ColumnType: "encrypted", DataType: "varchar(100)"},
		Column{Name: "unknown", ColumnType: "no-such-type", DataType: "varchar(4)"},
	)
	return cols
}

func TestFakeValueValid(t *testing.T) {
	t.Parallel()
	for _, col := range fakeColumns() {
		for seed := range uint64(200) {
			r := rand.New(rand.NewPCG(seed, 42))
			v := FakeValue(&col, r)
			if v == nil {
				t.Fatalf("%s/%s seed %d: nil fake", col.Name, col.DataType, seed)
			}
			got, err := NormalizeValue(&col, v)
			if err != nil {
				t.Fatalf("%s/%s seed %d: fake %#v rejected: %v", col.Name, col.DataType, seed, v, err)
			}
			if !reflect.DeepEqual(got, v) {
				t.Fatalf("%s/%s seed %d: fake %#v normalizes to %#v", col.Name, col.DataType, seed, v, got)
			}
		}
	}
}

func TestFakeValueShapes(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := day(1980, 1, 1), day(2051, 1, 1)
	for range 200 {
		d := FakeValue(&Column{ColumnType: "date", DataType: "timestamp"}, r).(time.Time)
		if d.Before(lo) || !d.Before(hi) || d.Hour() != 0 || d.Location() != time.UTC {
			t.Fatalf("date fake %v", d)
		}
		if y := FakeValue(&Column{ColumnType: "year", DataType: "int(4)"}, r).(int64); y < 1990 || y > 2018 {
			t.Fatalf("year fake %d", y)
		}
		e := FakeValue(&Column{ColumnType: "enum", Options: []ColumnOption{{Value: "A"}, {Value: "b"}}}, r).(string)
		if e != "a" && e != "b" {
			t.Fatalf("enum fake %q", e)
		}
		if s := FakeValue(&Column{ColumnType: "label", DataType: "varchar(5)"}, r).(string); utf8.RuneCountInString(s) > 5 {
			t.Fatalf("label fake %q too long", s)
		}
		if _, ok := FakeValue(&Column{ColumnType: "truefalse", DataType: "boolean"}, r).(bool); !ok {
			t.Fatal("truefalse fake is not a bool")
		}
	}
}

func TestFakeValueDeterministic(t *testing.T) {
	t.Parallel()
	for _, col := range fakeColumns() {
		a := FakeValue(&col, rand.New(rand.NewPCG(9, 9)))
		b := FakeValue(&col, rand.New(rand.NewPCG(9, 9)))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %#v != %#v", col.Name, a, b)
		}
	}
}
