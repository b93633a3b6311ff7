package yjs

import (
	"math"
	"sort"
)

// Content and struct kinds: the low five bits of a struct's info byte.
const (
	refGC      = 0
	refDeleted = 1
	refJSON    = 2
	refBinary  = 3
	refString  = 4
	refEmbed   = 5
	refFormat  = 6
	refType    = 7
	refAny     = 8
	refDoc     = 9
	refSkip    = 10
)

// Info byte flags of an item.
const (
	flagOrigin      = 0x80
	flagRightOrigin = 0x40
	flagParentSub   = 0x20
)

// ID is a Yjs struct id: the client that made it and its clock.
type ID struct{ Client, Clock uint64 }

// Struct is one decoded struct: a GC range, a Skip (unknown range) or an
// item with its content.
type Struct struct {
	ID     ID
	Ref    uint8 // refGC, refSkip, or the item's content kind
	length uint64
	// item fields
	Origin, RightOrigin *ID
	parentSub           bool   // the info byte's parentSub flag
	parent              []byte // raw parent info (+ parentSub) when there are no origins
	str                 []uint16
	elems               [][]byte // JSON or Any elements, each as encoded
	raw                 []byte   // content of length 1, as encoded
}

// Len is the number of clock ticks the struct covers.
func (s *Struct) Len() uint64 {
	switch s.Ref {
	case refString:
		return uint64(len(s.str))
	case refJSON, refAny:
		return uint64(len(s.elems))
	case refGC, refSkip, refDeleted:
		return s.length
	}
	return 1
}

func (s *Struct) isItem() bool { return s.Ref != refGC && s.Ref != refSkip }

// Update is a decoded update: structs by client (sorted by clock) and the
// delete set.
type Update struct {
	Structs map[uint64][]*Struct
	Deletes DeleteSet
}

// DeleteSet maps a client to its deleted clock ranges.
type DeleteSet map[uint64][]Range

// Range is a run of deleted clocks.
type Range struct{ Clock, Len uint64 }

// maxCount bounds counts read from untrusted bytes before allocation.
const maxCount = 1 << 24

// Decode parses a v1 update.
func Decode(b []byte) (*Update, error) {
	d := &decoder{b: b}
	u := &Update{Structs: map[uint64][]*Struct{}, Deletes: DeleteSet{}}
	clients, err := d.uint()
	if err != nil || clients > maxCount {
		return nil, ErrMalformed
	}
	for i := uint64(0); i < clients; i++ {
		if err := decodeClient(d, u); err != nil {
			return nil, err
		}
	}
	if err := decodeDeleteSet(d, u.Deletes); err != nil {
		return nil, err
	}
	if !d.done() {
		return nil, ErrMalformed
	}
	return u, nil
}

func decodeClient(d *decoder, u *Update) error {
	n, err := d.uint()
	if err != nil || n > maxCount {
		return ErrMalformed
	}
	client, err := d.uint()
	if err != nil {
		return err
	}
	clock, err := d.uint()
	if err != nil {
		return err
	}
	for j := uint64(0); j < n; j++ {
		s, err := decodeStruct(d, ID{client, clock})
		if err != nil {
			return err
		}
		l := s.Len()
		if l == 0 || clock > math.MaxUint64-l {
			return ErrMalformed
		}
		clock += l
		u.Structs[client] = append(u.Structs[client], s)
	}
	return nil
}

func decodeStruct(d *decoder, id ID) (*Struct, error) {
	info, err := d.byte()
	if err != nil {
		return nil, err
	}
	s := &Struct{ID: id, Ref: info & 0x1f}
	switch s.Ref {
	case refGC, refSkip:
		s.length, err = d.uint()
		return s, err
	}
	if info&flagOrigin != 0 {
		if s.Origin, err = decodeID(d); err != nil {
			return nil, err
		}
	}
	if info&flagRightOrigin != 0 {
		if s.RightOrigin, err = decodeID(d); err != nil {
			return nil, err
		}
	}
	s.parentSub = info&flagParentSub != 0
	if s.Origin == nil && s.RightOrigin == nil {
		start := d.pos
		if err := skipParent(d, s.parentSub); err != nil {
			return nil, err
		}
		s.parent = d.b[start:d.pos]
	}
	return s, decodeContent(d, s)
}

func decodeID(d *decoder) (*ID, error) {
	c, err := d.uint()
	if err != nil {
		return nil, err
	}
	k, err := d.uint()
	if err != nil {
		return nil, err
	}
	return &ID{c, k}, nil
}

func skipParent(d *decoder, parentSub bool) error {
	isKey, err := d.uint()
	if err != nil {
		return err
	}
	if isKey == 1 {
		_, err = d.bytes()
	} else {
		_, err = decodeID(d)
	}
	if err == nil && parentSub {
		_, err = d.bytes()
	}
	return err
}

func decodeContent(d *decoder, s *Struct) error {
	var err error
	switch s.Ref {
	case refDeleted:
		s.length, err = d.uint()
		if err == nil && s.length == 0 {
			err = ErrMalformed
		}
	case refString:
		var p []byte
		if p, err = d.bytes(); err == nil {
			s.str = toUTF16(p)
		}
	case refJSON, refAny:
		var n uint64
		if n, err = d.uint(); err != nil || n > maxCount || n > uint64(len(d.b)-d.pos) {
			return ErrMalformed
		}
		s.elems = make([][]byte, n)
		for i := range s.elems {
			if s.Ref == refJSON {
				s.elems[i], err = d.rawString()
			} else {
				s.elems[i], err = d.rawAny()
			}
			if err != nil {
				return err
			}
		}
	default:
		start := d.pos
		if err = skipOpaque(d, s.Ref); err == nil {
			s.raw = d.b[start:d.pos]
		}
	}
	return err
}

// skipOpaque reads a content of length 1.
func skipOpaque(d *decoder, ref uint8) error {
	var err error
	switch ref {
	case refBinary, refEmbed:
		_, err = d.bytes()
	case refFormat:
		if _, err = d.bytes(); err == nil {
			_, err = d.bytes()
		}
	case refType:
		var t uint64
		if t, err = d.uint(); err == nil && (t == 3 || t == 5) {
			_, err = d.bytes()
		}
	case refDoc:
		if _, err = d.bytes(); err == nil {
			err = d.skipAny(0)
		}
	default:
		err = ErrMalformed
	}
	return err
}

func decodeDeleteSet(d *decoder, ds DeleteSet) error {
	n, err := d.uint()
	if err != nil || n > maxCount {
		return ErrMalformed
	}
	for i := uint64(0); i < n; i++ {
		client, err := d.uint()
		if err != nil {
			return err
		}
		k, err := d.uint()
		if err != nil || k > maxCount {
			return ErrMalformed
		}
		for j := uint64(0); j < k; j++ {
			clock, err := d.uint()
			if err != nil {
				return err
			}
			l, err := d.uint()
			if err != nil {
				return err
			}
			if l > 0 {
				ds[client] = append(ds[client], Range{clock, l})
			}
		}
	}
	return nil
}

// sortedClients returns the clients with structs, highest first (as Yjs
// writes them).
func sortedClients[V any](m map[uint64]V) []uint64 {
	out := make([]uint64, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] > out[j] })
	return out
}
