package store

import (
	"bytes"
	"io"
)

// Raw is a message held as the pieces it was read in. SMTP DATA arrives
// with no length announced; reading it in pieces and keeping them, rather
// than joining them, holds the message once.
type Raw [][]byte

// Len is the message's length.
func (r Raw) Len() int {
	n := 0
	for _, p := range r {
		n += len(p)
	}
	return n
}

// Reader reads the message from its first byte.
func (r Raw) Reader() io.Reader {
	if len(r) == 1 {
		return bytes.NewReader(r[0])
	}
	rs := make([]io.Reader, len(r))
	for i, p := range r {
		rs[i] = bytes.NewReader(p)
	}
	return io.MultiReader(rs...)
}

// Bytes is the message in one slice: the only piece, or a copy joining
// them.
func (r Raw) Bytes() []byte {
	switch len(r) {
	case 0:
		return nil
	case 1:
		return r[0]
	}
	out := make([]byte, 0, r.Len())
	for _, p := range r {
		out = append(out, p...)
	}
	return out
}

// HasNUL reports whether the message holds a NUL byte.
func (r Raw) HasNUL() bool {
	for _, p := range r {
		if bytes.IndexByte(p, 0) >= 0 {
			return true
		}
	}
	return false
}

// header is the message's header block through its blank line (the
// whole message when it has none), copying only when the block spans
// pieces (an SMTP message's first piece is the trace header).
func (r Raw) header() []byte {
	n := r.headerLen()
	if n < 0 {
		n = r.Len()
	}
	if len(r) > 0 && n <= len(r[0]) {
		return r[0][:n]
	}
	h := make([]byte, 0, n)
	for _, p := range r {
		h = append(h, p[:min(len(p), n-len(h))]...)
	}
	return h
}

// headerLen is the length of the header block including its blank line
// (the first line that is empty, ended by LF or CRLF), or -1 when there
// is none.
func (r Raw) headerLen() int {
	off := 0
	state := 0 // 1 after LF, 2 after LF CR
	for _, p := range r {
		for i, c := range p {
			switch {
			case c == '\n' && state > 0:
				return off + i + 1
			case c == '\n':
				state = 1
			case c == '\r' && state == 1:
				state = 2
			default:
				state = 0
			}
		}
		off += len(p)
	}
	return -1
}
