package yjs

// StateVector maps a client to the next clock the holder lacks.
type StateVector map[uint64]uint64

// Encode writes u as a v1 update holding only what a peer with state
// vector sv lacks (nil sv: everything). The delete set is always whole,
// as Yjs's own diff does. u must be normalized (see Merge).
func (u *Update) Encode(sv StateVector) []byte {
	type part struct {
		client uint64
		list   []*Struct
	}
	var parts []part
	for _, c := range sortedClients(u.Structs) {
		list := u.Structs[c]
		from := sv[c]
		var out []*Struct
		for _, s := range list {
			end := s.ID.Clock + s.Len()
			if end <= from {
				continue
			}
			if s.ID.Clock < from {
				s = s.slice(from - s.ID.Clock)
			}
			if len(out) == 0 && s.Ref == refSkip {
				continue
			}
			out = append(out, s)
		}
		if len(out) > 0 {
			parts = append(parts, part{c, out})
		}
	}
	b := appendUint(nil, uint64(len(parts)))
	for _, p := range parts {
		b = appendUint(b, uint64(len(p.list)))
		b = appendUint(b, p.client)
		b = appendUint(b, p.list[0].ID.Clock)
		for _, s := range p.list {
			b = s.append(b)
		}
	}
	return u.Deletes.append(b)
}

// append writes one struct.
func (s *Struct) append(b []byte) []byte {
	if !s.isItem() {
		return appendUint(append(b, s.Ref), s.length)
	}
	info := s.Ref
	if s.Origin != nil {
		info |= flagOrigin
	}
	if s.RightOrigin != nil {
		info |= flagRightOrigin
	}
	if s.parentSub {
		info |= flagParentSub
	}
	b = append(b, info)
	if s.Origin != nil {
		b = appendUint(appendUint(b, s.Origin.Client), s.Origin.Clock)
	}
	if s.RightOrigin != nil {
		b = appendUint(appendUint(b, s.RightOrigin.Client), s.RightOrigin.Clock)
	}
	if s.Origin == nil && s.RightOrigin == nil {
		b = append(b, s.parent...)
	}
	switch s.Ref {
	case refDeleted:
		return appendUint(b, s.length)
	case refString:
		return appendBytes(b, fromUTF16(s.str))
	case refJSON, refAny:
		b = appendUint(b, uint64(len(s.elems)))
		for _, e := range s.elems {
			b = append(b, e...)
		}
		return b
	}
	return append(b, s.raw...)
}

// slice returns the part of s from offset d on (0 < d < Len), as Yjs
// slices a struct: the right part of an item points at its left part.
func (s *Struct) slice(d uint64) *Struct {
	r := *s
	r.ID = ID{s.ID.Client, s.ID.Clock + d}
	switch s.Ref {
	case refGC, refSkip, refDeleted:
		r.length = s.length - d
		if !s.isItem() {
			return &r
		}
	case refString:
		r.str = s.str[d:]
	case refJSON, refAny:
		r.elems = s.elems[d:]
	}
	r.Origin = &ID{s.ID.Client, s.ID.Clock + d - 1}
	r.parent = nil
	return &r
}

// append writes the delete set, clients highest first.
func (ds DeleteSet) append(b []byte) []byte {
	clients := sortedClients(ds)
	b = appendUint(b, uint64(len(clients)))
	for _, c := range clients {
		b = appendUint(appendUint(b, c), uint64(len(ds[c])))
		for _, r := range ds[c] {
			b = appendUint(appendUint(b, r.Clock), r.Len)
		}
	}
	return b
}

// StateVector returns what u holds: per client, the end of the run of
// structs from clock 0 without a gap (as Yjs computes it from an update).
func (u *Update) StateVector() StateVector {
	sv := StateVector{}
	for c, list := range u.Structs {
		var clock uint64
		for _, s := range list {
			if s.Ref == refSkip || s.ID.Clock != clock {
				break
			}
			clock += s.Len()
		}
		if clock > 0 {
			sv[c] = clock
		}
	}
	return sv
}

// EncodeStateVector writes sv as y-protocols does.
func EncodeStateVector(sv StateVector) []byte {
	clients := sortedClients(sv)
	b := appendUint(nil, uint64(len(clients)))
	for _, c := range clients {
		b = appendUint(appendUint(b, c), sv[c])
	}
	return b
}

// DecodeStateVector parses an encoded state vector.
func DecodeStateVector(b []byte) (StateVector, error) {
	d := &decoder{b: b}
	n, err := d.uint()
	if err != nil || n > maxCount {
		return nil, ErrMalformed
	}
	sv := StateVector{}
	for i := uint64(0); i < n; i++ {
		id, err := decodeID(d) // a (client, clock) pair, encoded as an ID is
		if err != nil {
			return nil, err
		}
		sv[id.Client] = id.Clock
	}
	if !d.done() {
		return nil, ErrMalformed
	}
	return sv, nil
}
