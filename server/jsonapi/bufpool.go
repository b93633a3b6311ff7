package jsonapi

import "sync"

// maxPooledBuf is the largest buffer kept for reuse: a rare huge page is
// not held on to.
const maxPooledBuf = 64 << 10

// bufPool keeps the byte buffers response documents are encoded into, so
// a request does not allocate (and the collector scan) a fresh one.
type bufPool struct{ p sync.Pool }

// get returns an empty buffer of at least n bytes' capacity.
func (bp *bufPool) get(n int) *[]byte {
	if b, ok := bp.p.Get().(*[]byte); ok {
		if cap(*b) < n {
			*b = make([]byte, 0, n)
		}
		return b
	}
	b := make([]byte, 0, n)
	return &b
}

// put hands b back unless it grew too large.
func (bp *bufPool) put(b *[]byte) {
	if cap(*b) > maxPooledBuf {
		return
	}
	*b = (*b)[:0]
	bp.p.Put(b)
}
