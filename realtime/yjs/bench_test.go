package yjs

import (
	"math/rand/v2"
	"testing"
)

// editUpdates makes n single-character insertions by 10 clients, each
// after a random earlier character: the worst case for compaction (few
// neighbours join), as many concurrent editors produce.
func editUpdates(n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	clocks := make([]uint64, 10)
	var ids []ID
	out := make([][]byte, 0, n)
	for k := 0; k < n; k++ {
		c := uint64(k%10) + 1
		s := &Struct{ID: ID{c, clocks[c-1]}, Ref: refString, str: []uint16{'x'}}
		if len(ids) == 0 {
			s.parent = append(appendUint(nil, 1), appendBytes(nil, []byte("text"))...)
		} else {
			o := ids[r.IntN(len(ids))]
			s.Origin = &o
		}
		clocks[c-1]++
		ids = append(ids, s.ID)
		u := &Update{Structs: map[uint64][]*Struct{c: {s}}, Deletes: DeleteSet{}}
		out = append(out, u.Encode(nil))
	}
	return out
}

// BenchmarkJoin100kEdits: the SyncStep2 a new client of a room with
// 100,000 past edits gets (the room keeps the merged state in memory).
func BenchmarkJoin100kEdits(b *testing.B) {
	u, err := Merge(editUpdates(100000)...)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var size int
	for i := 0; i < b.N; i++ {
		size = len(u.Encode(nil))
	}
	b.ReportMetric(float64(size), "state-bytes")
}

// BenchmarkMerge100kEdits: compacting 100,000 stored updates at once.
func BenchmarkMerge100kEdits(b *testing.B) {
	ups := editUpdates(100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Merge(ups...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyOneEdit: one live edit applied to a room of 100,000.
func BenchmarkApplyOneEdit(b *testing.B) {
	ups := editUpdates(100001)
	u, _ := Merge(ups[:100000]...)
	last, _ := Decode(ups[100000])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.Apply(last)
	}
}
