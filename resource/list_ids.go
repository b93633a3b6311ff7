package resource

import "sort"

// idChunk is the size a kept id list is cut into; a chunk grows to twice
// that before it is split.
const idChunk = 1024

// idList is an ordered list of row ids kept in chunks, so that placing a
// created row copies one chunk and the chunk index instead of the whole
// list (a create into a 100,000-id list copied 800 KB per kept list). A
// kept idList is never changed: insert returns a new list sharing the
// untouched chunks, since requests may still be paging the old one.
type idList struct {
	chunks [][]int64
	starts []int // starts[i] is the position of chunks[i][0]
	n      int
	max    int64 // the largest id (0 when empty)
}

// newIDList keeps ids (which the list then owns).
func newIDList(ids []int64) idList {
	l := idList{n: len(ids)}
	for i := 0; i < len(ids); i += idChunk {
		j := min(i+idChunk, len(ids))
		l.chunks = append(l.chunks, ids[i:j:j])
		l.starts = append(l.starts, i)
	}
	for _, id := range ids {
		l.max = max(l.max, id)
	}
	return l
}

// Len is the number of ids.
func (l idList) Len() int { return l.n }

// chunk returns the chunk holding position i (0 <= i < n).
func (l idList) chunk(i int) int {
	return sort.Search(len(l.starts), func(k int) bool { return l.starts[k] > i }) - 1
}

// At returns the id at position i.
func (l idList) At(i int) int64 {
	k := l.chunk(i)
	return l.chunks[k][i-l.starts[k]]
}

// Slice copies the ids at positions [lo, hi).
func (l idList) Slice(lo, hi int) []int64 {
	lo, hi = max(lo, 0), min(hi, l.n)
	if lo >= hi {
		return []int64{}
	}
	out := make([]int64, 0, hi-lo)
	for k := l.chunk(lo); k < len(l.chunks) && len(out) < hi-lo; k++ {
		c := l.chunks[k]
		from := max(lo-l.starts[k], 0)
		to := min(len(c), hi-l.starts[k])
		out = append(out, c[from:to]...)
	}
	return out
}

// Contains reports whether id is in the list; a created row's id above
// every kept id answers without a scan.
func (l idList) Contains(id int64) bool {
	if id > l.max || l.n == 0 {
		return false
	}
	for _, c := range l.chunks {
		for _, v := range c {
			if v == id {
				return true
			}
		}
	}
	return false
}

// Search returns the first position i in [0, n) where f(At(i)) is true,
// or n (f must be false then true along the list).
func (l idList) Search(f func(id int64) bool) int {
	return sort.Search(l.n, func(i int) bool { return f(l.At(i)) })
}

// Insert returns the list with id placed at position pos (0 <= pos <= n).
func (l idList) Insert(pos int, id int64) idList {
	if l.n == 0 {
		return newIDList([]int64{id})
	}
	k := len(l.chunks) - 1
	if pos < l.n {
		k = l.chunk(pos)
	}
	old := l.chunks[k]
	at := pos - l.starts[k]
	c := make([]int64, 0, len(old)+1)
	c = append(c, old[:at]...)
	c = append(c, id)
	c = append(c, old[at:]...)
	parts := [][]int64{c}
	if len(c) > 2*idChunk {
		h := len(c) / 2
		parts = [][]int64{c[:h:h], c[h:]}
	}
	out := idList{n: l.n + 1, max: max(l.max, id)}
	out.chunks = make([][]int64, 0, len(l.chunks)+len(parts)-1)
	out.chunks = append(out.chunks, l.chunks[:k]...)
	out.chunks = append(out.chunks, parts...)
	out.chunks = append(out.chunks, l.chunks[k+1:]...)
	out.starts = make([]int, len(out.chunks))
	at = 0
	for i, ch := range out.chunks {
		out.starts[i] = at
		at += len(ch)
	}
	return out
}
