package aggregate

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestAggValue: the API form of each result kind, whatever the driver
// returned.
func TestAggValue(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 9, 14, 5, 6, 0, time.UTC)
	ref := []byte("0123456789abcdef")
	scenarios := []struct {
		kind outKind
		in   any
		want any
	}{
		{outInt, nil, nil},
		{outInt, int64(4), int64(4)},
		{outInt, []byte("12"), int64(12)},
		{outInt, 3.0, int64(3)},
		{outFK, int64(9), int64(9)},
		{outFloat, int64(2), 2.0},
		{outFloat, []byte("2.5"), 2.5},
		{outBool, true, int64(1)},
		{outBool, int64(0), int64(0)},
		{outBool, []byte("1"), int64(1)},
		{outTime, "2024-03-09 14:05:06", at},
		{outTime, at.In(time.FixedZone("x", 3600)), at},
		{outDate, at, "2024-03-09"},
		{outRef, ref, "30313233-3435-3637-3839-616263646566"},
		{outString, []byte("text"), "text"},
		{outRaw, []byte{0x41}, "A"},
		{outRaw, at.In(time.FixedZone("x", 3600)), at},
		{outRaw, true, int64(1)},
		{outRaw, 1.5, 1.5},
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprintf("%d/%T", s.kind, s.in), func(t *testing.T) {
			if got := aggValue(s.kind, s.in); !reflect.DeepEqual(got, s.want) {
				t.Fatalf("aggValue = %#v, want %#v", got, s.want)
			}
		})
	}
}

// TestProjections: aliases, reuse of equal expressions, hidden ORDER BY
// columns and the response keys.
func TestProjections(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		q      Query
		keys   string // response keys in SELECT order ("" = hidden)
		groups string
		orders string
	}{
		{"count only", Query{}, "[count]", "[]", "[]"},
		{"alias", Query{Columns: []string{"sum(priority) as total"}}, "[total]", "[]", "[]"},
		{"group reuses the column", Query{Columns: []string{"title,count"}, Groups: []string{"title"}}, "[title count]", "[1]", "[]"},
		{"group adds its column", Query{Columns: []string{"count"}, Groups: []string{"title"}}, "[count title]", "[2]", "[]"},
		{"order by alias", Query{Columns: []string{"title,count as n"}, Groups: []string{"title"}, Orders: []string{"-n"}}, "[title n]", "[1]", "[2 DESC]"},
		{"order by count keyword", Query{Columns: []string{"title,count as n"}, Groups: []string{"title"}, Orders: []string{"count"}}, "[title n]", "[1]", "[2 ASC]"},
		{"order by a hidden column", Query{Columns: []string{"title"}, Groups: []string{"title"}, Orders: []string{"-max(priority)"}}, "[title ]", "[1]", "[2 DESC]"},
		{"same expression twice", Query{Columns: []string{"count,count"}}, "[count]", "[]", "[]"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			b, err := builder(t, "sqlite", s.q)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, p := range b.projs {
				keys = append(keys, p.key)
			}
			if fmt.Sprint(keys) != s.keys || fmt.Sprint(b.groups) != s.groups || fmt.Sprint(b.orders) != s.orders {
				t.Fatalf("keys %v groups %v orders %v; want %s %s %s", keys, b.groups, b.orders, s.keys, s.groups, s.orders)
			}
		})
	}
}
