package resource

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkIDList compares every reading of l with the plain slice want.
func checkIDList(t *testing.T, l idList, want []int64) {
	t.Helper()
	if l.Len() != len(want) {
		t.Fatalf("Len %d, want %d", l.Len(), len(want))
	}
	for i, id := range want {
		if got := l.At(i); got != id {
			t.Fatalf("At(%d) = %d, want %d", i, got, id)
		}
	}
	for _, r := range [][2]int{{0, len(want)}, {0, 10}, {len(want) / 2, len(want)/2 + 10}, {len(want) - 3, len(want) + 5}, {-2, 3}, {len(want) + 1, len(want) + 9}} {
		lo, hi := max(r[0], 0), min(r[1], len(want))
		exp := []int64{}
		if lo < hi {
			exp = want[lo:hi]
		}
		if got := l.Slice(r[0], r[1]); !slices.Equal(got, exp) {
			t.Fatalf("Slice(%d, %d) = %v, want %v", r[0], r[1], got, exp)
		}
	}
	for _, c := range l.chunks {
		if len(c) == 0 || len(c) > 2*idChunk {
			t.Fatalf("chunk of %d ids", len(c))
		}
	}
}

// TestIDListInsertMatchesSlice: random inserts into a list of several
// chunks read back exactly as the same inserts into a plain slice, and the
// list a request may still be paging is never changed.
func TestIDListInsertMatchesSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	want := make([]int64, 3*idChunk+17)
	for i := range want {
		want[i] = int64(2 * (i + 1))
	}
	l := newIDList(slices.Clone(want))
	checkIDList(t, l, want)
	for n := range 6000 {
		pos := r.IntN(len(want) + 1)
		id := int64(100000 + n)
		before, beforeWant := l, slices.Clone(want)
		l = l.Insert(pos, id)
		want = slices.Insert(want, pos, id)
		if n%500 == 0 {
			checkIDList(t, l, want)
			checkIDList(t, before, beforeWant)
		}
	}
	checkIDList(t, l, want)
	if len(l.chunks) < 5 {
		t.Fatalf("%d chunks after 6,000 inserts into four: chunks were not split", len(l.chunks))
	}
}

func TestIDListEmptyContainsSearch(t *testing.T) {
	var l idList
	checkIDList(t, l, nil)
	if l.Contains(1) {
		t.Fatal("empty list contains 1")
	}
	l = l.Insert(0, 7).Insert(0, 3).Insert(2, 11)
	checkIDList(t, l, []int64{3, 7, 11})
	for id, in := range map[int64]bool{3: true, 7: true, 11: true, 5: false, 12: false, 0: false} {
		if l.Contains(id) != in {
			t.Fatalf("Contains(%d) = %v", id, !in)
		}
	}
	if got := l.Search(func(id int64) bool { return id > 5 }); got != 1 {
		t.Fatalf("Search(> 5) = %d, want 1", got)
	}
	if got := l.Search(func(id int64) bool { return id > 11 }); got != 3 {
		t.Fatalf("Search(> 11) = %d, want 3", got)
	}
}

// BenchmarkIDListInsert: placing one created row into a kept list of
// 100,000 ids (a full copy before: 800 KB).
func BenchmarkIDListInsert(b *testing.B) {
	ids := make([]int64, 100000)
	for i := range ids {
		ids[i] = int64(i)
	}
	l := newIDList(slices.Clone(ids))
	b.Run("chunked", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = l.Insert(i%len(ids), int64(len(ids)+i))
		}
	})
	b.Run("copy", func(b *testing.B) { // what a create did before
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = slices.Insert(slices.Clone(ids), i%len(ids), int64(len(ids)+i))
		}
	})
}
