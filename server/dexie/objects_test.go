package dexie

import (
	"reflect"
	"testing"

	"github.com/apiary/apiary/schema"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	plain := &schema.Table{TableName: "items"}
	compound := &schema.Table{TableName: "pairs", CompositeKeys: [][]string{{"name", "num"}}}
	cases := []struct {
		t    *schema.Table
		raw  string
		want key
		ok   bool
	}{
		{plain, "0190E3B4-0000-7000-8000-000000000000", key{ref: "0190e3b4-0000-7000-8000-000000000000"}, true},
		{plain, "tdi0Oma0cOxZhnmTbCQTMxP3Xetcal", key{}, false},
		{compound, `["Bob",42]`, key{values: []any{"Bob", float64(42)}}, true},
		{compound, `["Bob"]`, key{}, false},
		{compound, `Bob`, key{}, false},
	}
	for _, c := range cases {
		got, err := parseKey(c.t, c.raw)
		if (err == nil) != c.ok || (c.ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%s %q: %+v, %v", c.t.TableName, c.raw, got, err)
		}
	}
}

func TestPagingKeyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"alice@demo.local", float64(30), nil, "2026-01-02T03:04:05.000000000Z"} {
		k := encodePagingKey(v, "alice@demo.local")
		got, id, err := decodePagingKey(k)
		if err != nil || id != "alice@demo.local" || compareValues(got, v) != 0 {
			t.Errorf("%v: %v %q %v", v, got, id, err)
		}
	}
	if encodePagingKey("alice@demo.local", "alice@demo.local") != "WyJhbGljZUBkZW1vLmxvY2FsIiwiYWxpY2VAZGVtby5sb2NhbCJd" {
		t.Error("pagingKey differs from the seed's format")
	}
	for _, bad := range []string{"%%", "bm9wZQ==", "WzFd"} {
		if _, _, err := decodePagingKey(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCompareValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b any
		want int
	}{
		{nil, nil, 0}, {nil, "a", -1}, {"a", nil, 1}, {float64(2), float64(10), -1}, {"b", "a", 1}, {"a", "a", 0},
	}
	for _, c := range cases {
		if got := compareValues(c.a, c.b); got != c.want {
			t.Errorf("compare(%v, %v) = %d", c.a, c.b, got)
		}
	}
}
