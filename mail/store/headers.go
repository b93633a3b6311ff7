package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"sync"
)

// maxHeaderCache bounds the bytes of cached header blocks.
const maxHeaderCache = 64 << 20

// headerCache keeps the header blocks of messages (immutable once
// stored) so that ENVELOPE fetches of a mailbox need no body reads. It
// is filled at delivery and whenever a header is read; when full, the
// oldest entries go first.
type headerCache struct {
	mu    sync.Mutex
	m     map[string][]byte
	order []string
	bytes int
}

func newHeaderCache() *headerCache { return &headerCache{m: map[string][]byte{}} }

func (c *headerCache) get(ref string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[ref]
	return h, ok
}

func (c *headerCache) put(ref string, h []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[ref]; ok || len(h) > maxHeaderCache/16 {
		return
	}
	c.m[ref] = h
	c.order = append(c.order, ref)
	c.bytes += len(h)
	for c.bytes > maxHeaderCache && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= len(c.m[old])
		delete(c.m, old)
	}
}

// Headers returns the header blocks of msgs (by reference id), reading
// from the database only those not cached; lo and hi bound their UIDs.
func (s *Store) Headers(ctx context.Context, box Mailbox, msgs []Meta) (map[string][]byte, error) {
	out := make(map[string][]byte, len(msgs))
	var lo, hi uint32
	for _, m := range msgs {
		if h, ok := s.headers.get(m.RefID); ok {
			out[m.RefID] = h
			continue
		}
		if lo == 0 || m.UID < lo {
			lo = m.UID
		}
		hi = max(hi, m.UID)
	}
	if hi == 0 {
		return out, nil
	}
	// The headers column holds the block (base64) for mail stored since it
	// exists: one small column read, no message decompressed.
	want := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		want[m.RefID] = true
	}
	var missing []uint32
	err := s.read(ctx, box, uidRange(lo, hi, []string{"reference_id", "uid", "headers"}), func(v []any) {
		ref := str(v[0])
		if !want[ref] {
			return
		}
		h, err := base64.StdEncoding.DecodeString(str(v[2]))
		if err != nil || len(h) == 0 {
			// Older rows and rows written over the API: read the message.
			missing = append(missing, uint32(num(v[1])))
			return
		}
		s.headers.put(ref, h)
		out[ref] = h
	})
	if err != nil {
		return nil, err
	}
	lo, hi = 0, 0
	for _, uid := range missing {
		if lo == 0 || uid < lo {
			lo = uid
		}
		hi = max(hi, uid)
	}
	if hi == 0 {
		return out, nil
	}
	loaded, err := s.Load(ctx, box, lo, hi)
	if err != nil {
		return nil, err
	}
	for i := range loaded {
		if _, done := out[loaded[i].RefID]; done || !want[loaded[i].RefID] {
			continue
		}
		h, err := loaded[i].Header()
		if err != nil {
			return nil, err
		}
		h = bytes.Clone(h)
		s.headers.put(loaded[i].RefID, h)
		out[loaded[i].RefID] = h
	}
	return out, nil
}

// maxHeaderColumn bounds the header block kept in the headers column
// (its base64 must fit MySQL's 64 KiB TEXT); a larger one is read from
// the message.
const maxHeaderColumn = 32 << 10

// headerColumn is the headers column of a message whose header block is
// h: h in base64 ("" when the block is larger than maxHeaderColumn).
func headerColumn(h []byte) string {
	if len(h) > maxHeaderColumn {
		return ""
	}
	return base64.StdEncoding.EncodeToString(h)
}
