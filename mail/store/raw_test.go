package store

import (
	"bytes"
	"io"
	"testing"
)

// TestRaw: a message in pieces reads, joins and finds its header block
// and NUL bytes as the same message in one slice does, wherever the
// pieces are cut (the blank line split across two pieces included).
func TestRaw(t *testing.T) {
	msgs := []string{
		"",
		"Subject: a\r\nFrom: b\r\n\r\nbody\r\nmore\r\n",
		"Subject: a\n\nbody with LF only\n",
		"Subject: only a header, no blank line\r\n",
		"Subject: nul\r\n\r\nbo\x00dy",
	}
	for _, m := range msgs {
		whole := []byte(m)
		for cut1 := 0; cut1 <= len(whole); cut1++ {
			for cut2 := cut1; cut2 <= len(whole); cut2 += 3 {
				r := Raw{whole[:cut1], whole[cut1:cut2], whole[cut2:]}
				if r.Len() != len(whole) || !bytes.Equal(r.Bytes(), whole) {
					t.Fatalf("%q cut at %d, %d: Len %d, Bytes %q", m, cut1, cut2, r.Len(), r.Bytes())
				}
				read, err := io.ReadAll(r.Reader())
				if err != nil || !bytes.Equal(read, whole) {
					t.Fatalf("%q cut at %d, %d: read %q, %v", m, cut1, cut2, read, err)
				}
				want := whole
				if i := headerEnd(whole); i >= 0 {
					want = whole[:i]
				}
				if got := r.header(); !bytes.Equal(got, want) {
					t.Fatalf("%q cut at %d, %d: header %q, want %q", m, cut1, cut2, got, want)
				}
				if r.HasNUL() != bytes.Contains(whole, []byte{0}) {
					t.Fatalf("%q cut at %d, %d: HasNUL %v", m, cut1, cut2, r.HasNUL())
				}
			}
		}
		if p1, p2 := parseRaw(Raw{whole[:len(whole)/2], whole[len(whole)/2:]}), Parse(whole); p1 != p2 {
			t.Errorf("%q: parsed in pieces %+v, whole %+v", m, p1, p2)
		}
	}
}
