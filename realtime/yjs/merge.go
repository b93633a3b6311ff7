package yjs

import (
	"slices"
	"sort"
)

// Merge combines updates into one normalized, compacted update: every
// clock range appears once (gaps become Skip structs), deleted content is
// replaced by its length, adjacent insertions that Yjs could have made as
// one struct are joined, and the delete sets are united.
func Merge(updates ...[]byte) (*Update, error) {
	all := &Update{Structs: map[uint64][]*Struct{}, Deletes: DeleteSet{}}
	for _, b := range updates {
		u, err := Decode(b)
		if err != nil {
			return nil, err
		}
		all.add(u)
	}
	all.normalize()
	return all, nil
}

// MergeUpdates is Merge then Encode: one compacted update.
func MergeUpdates(updates ...[]byte) ([]byte, error) {
	u, err := Merge(updates...)
	if err != nil {
		return nil, err
	}
	return u.Encode(nil), nil
}

// Apply adds another decoded update to a normalized u and normalizes the
// clients it touched.
func (u *Update) Apply(v *Update) {
	u.add(v)
	touched := map[uint64]bool{}
	for c := range v.Structs {
		touched[c] = true
	}
	for c := range v.Deletes {
		touched[c] = true
	}
	for c := range touched {
		u.Deletes[c] = mergeRanges(u.Deletes[c])
		if len(u.Deletes[c]) == 0 {
			delete(u.Deletes, c)
		}
		if list, ok := u.Structs[c]; ok {
			u.Structs[c] = compact(dedupe(list), u.Deletes[c])
		}
	}
}

func (u *Update) add(v *Update) {
	for c, list := range v.Structs {
		for _, s := range list {
			if s.Ref != refSkip {
				u.Structs[c] = append(u.Structs[c], s)
			}
		}
	}
	for c, rs := range v.Deletes {
		u.Deletes[c] = append(u.Deletes[c], rs...)
	}
}

func (u *Update) normalize() {
	for c, rs := range u.Deletes {
		u.Deletes[c] = mergeRanges(rs)
	}
	for c, list := range u.Structs {
		u.Structs[c] = compact(dedupe(list), u.Deletes[c])
	}
}

// dedupe sorts one client's structs by clock, drops repeated ranges
// (slicing partial overlaps) and fills gaps with Skip structs.
func dedupe(list []*Struct) []*Struct {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].ID.Clock != list[j].ID.Clock {
			return list[i].ID.Clock < list[j].ID.Clock
		}
		return list[i].Len() > list[j].Len()
	})
	out := list[:0:0]
	var end uint64
	for i, s := range list {
		if s.Ref == refSkip {
			continue
		}
		l := s.Len()
		switch {
		case i > 0 && s.ID.Clock+l <= end:
			continue
		case i > 0 && s.ID.Clock < end:
			s = s.slice(end - s.ID.Clock)
		case i > 0 && s.ID.Clock > end:
			out = append(out, &Struct{ID: ID{s.ID.Client, end}, Ref: refSkip, length: s.ID.Clock - end})
		}
		out = append(out, s)
		end = s.ID.Clock + s.Len()
	}
	return out
}

// compact replaces deleted content by its length and joins neighbours.
func compact(list []*Struct, deleted []Range) []*Struct {
	out := list[:0:0]
	for _, s := range list {
		if s.isItem() && s.Ref != refDeleted && s.Ref != refType && covered(deleted, s.ID.Clock, s.Len()) {
			c := *s
			c.Ref, c.length, c.str, c.elems, c.raw = refDeleted, s.Len(), nil, nil, nil
			s = &c
		}
		if n := len(out); n > 0 && joinable(out[n-1], s) {
			out[n-1] = join(out[n-1], s)
			continue
		}
		out = append(out, s)
	}
	return out
}

// joinable: b continues a's insertion exactly (same client, next clock,
// origin at a's last character, same right origin) with content of a
// kind that concatenates; the joined struct decodes to the same items.
func joinable(a, b *Struct) bool {
	if a.ID.Clock+a.Len() != b.ID.Clock || a.Ref != b.Ref {
		return false
	}
	switch a.Ref {
	case refGC:
		return true
	case refString, refDeleted:
	default:
		return false
	}
	if b.Origin == nil || *b.Origin != (ID{a.ID.Client, b.ID.Clock - 1}) {
		return false
	}
	if (a.RightOrigin == nil) != (b.RightOrigin == nil) || (a.RightOrigin != nil && *a.RightOrigin != *b.RightOrigin) {
		return false
	}
	// Map entries stay apart: which struct holds a key's value decides
	// the value.
	return !a.parentSub && !b.parentSub
}

func join(a, b *Struct) *Struct {
	c := *a
	switch a.Ref {
	case refString:
		c.str = append(slices.Clip(a.str), b.str...)
	default:
		c.length = a.length + b.length
	}
	return &c
}

// mergeRanges sorts and unites overlapping or touching ranges.
func mergeRanges(rs []Range) []Range {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Clock < rs[j].Clock })
	out := rs[:0:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.Clock <= out[n-1].Clock+out[n-1].Len {
			if e := r.Clock + r.Len; e > out[n-1].Clock+out[n-1].Len {
				out[n-1].Len = e - out[n-1].Clock
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// covered reports whether [clock, clock+l) lies in one deleted range.
func covered(rs []Range, clock, l uint64) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Clock+rs[i].Len > clock })
	return i < len(rs) && rs[i].Clock <= clock && clock+l <= rs[i].Clock+rs[i].Len
}
