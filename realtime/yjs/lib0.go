package yjs

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformed is returned for bytes that are not a valid encoding.
var ErrMalformed = errors.New("yjs: malformed data")

// decoder reads lib0 encodings from a byte slice.
type decoder struct {
	b   []byte
	pos int
}

func (d *decoder) done() bool { return d.pos >= len(d.b) }

func (d *decoder) byte() (byte, error) {
	if d.pos >= len(d.b) {
		return 0, ErrMalformed
	}
	c := d.b[d.pos]
	d.pos++
	return c, nil
}

// uint reads an unsigned LEB128 varint (at most 64 bits).
func (d *decoder) uint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		c, err := d.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, ErrMalformed
}

// bytes reads a length-prefixed byte array (without copying).
func (d *decoder) bytes() ([]byte, error) {
	n, err := d.uint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(d.b)-d.pos) {
		return nil, ErrMalformed
	}
	out := d.b[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return out, nil
}

func (d *decoder) skip(n int) error {
	if n > len(d.b)-d.pos {
		return ErrMalformed
	}
	d.pos += n
	return nil
}

// rawString returns the whole encoding of a varString (prefix included).
func (d *decoder) rawString() ([]byte, error) {
	start := d.pos
	if _, err := d.bytes(); err != nil {
		return nil, err
	}
	return d.b[start:d.pos], nil
}

// rawAny returns the whole encoding of one lib0 "any" value.
func (d *decoder) rawAny() ([]byte, error) {
	start := d.pos
	if err := d.skipAny(0); err != nil {
		return nil, err
	}
	return d.b[start:d.pos], nil
}

const maxAnyDepth = 64

func (d *decoder) skipAny(depth int) error {
	if depth > maxAnyDepth {
		return ErrMalformed
	}
	t, err := d.byte()
	if err != nil {
		return err
	}
	switch t {
	case 127, 126, 121, 120: // undefined, null, false, true
		return nil
	case 125: // signed varint
		for {
			c, err := d.byte()
			if err != nil {
				return err
			}
			if c < 0x80 {
				return nil
			}
		}
	case 124:
		return d.skip(4)
	case 123, 122:
		return d.skip(8)
	case 119, 116: // string, Uint8Array
		_, err := d.bytes()
		return err
	case 118: // object
		n, err := d.uint()
		if err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			if _, err := d.bytes(); err != nil {
				return err
			}
			if err := d.skipAny(depth + 1); err != nil {
				return err
			}
		}
		return nil
	case 117: // array
		n, err := d.uint()
		if err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			if err := d.skipAny(depth + 1); err != nil {
				return err
			}
		}
		return nil
	}
	return ErrMalformed
}

// appendUint appends an unsigned LEB128 varint.
func appendUint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytes(b, p []byte) []byte { return append(appendUint(b, uint64(len(p))), p...) }

// toUTF16 converts UTF-8 (as JavaScript's TextDecoder would) to UTF-16.
func toUTF16(p []byte) []uint16 {
	if !utf8.Valid(p) {
		p = []byte(string([]rune(string(p))))
	}
	return utf16.Encode([]rune(string(p)))
}

// fromUTF16 converts UTF-16 to UTF-8; a lone surrogate becomes U+FFFD,
// as Yjs does when it splits a string inside a surrogate pair.
func fromUTF16(s []uint16) []byte { return []byte(string(utf16.Decode(s))) }
