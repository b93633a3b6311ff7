package imapd

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"

	"github.com/apiary/apiary/mail/store"
)

// loadBatch is how many messages' bodies one query reads, envelopeBatch
// how many header blocks (a multiple of loadBatch).
const (
	loadBatch     = 500
	envelopeBatch = 20 * loadBatch
)

func needsBody(o *imap.FetchOptions) bool { return o.Envelope || needsFull(o) }

// needsFull says whether a fetch needs whole messages, not only headers.
func needsFull(o *imap.FetchOptions) bool {
	return o.BodyStructure != nil || len(o.BodySection) > 0 || len(o.BinarySection) > 0 || len(o.BinarySectionSize) > 0
}

// headers reads the header blocks of view indexes (cached by the store).
func (s *session) headers(chunk []int) (map[string][]byte, error) {
	metas := make([]store.Meta, len(chunk))
	for k, i := range chunk {
		metas[k] = s.sel.msgs[i]
	}
	h, err := s.b.Store.Headers(s.ctx, s.sel.box, metas)
	if err != nil {
		return nil, serverError(err)
	}
	return h, nil
}

// Fetch implements imapserver.Session.
func (s *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	idx, err := s.indexes(numSet)
	if err != nil {
		return err
	}
	markSeen := false
	for _, bs := range options.BodySection {
		markSeen = markSeen || !bs.Peek
	}
	markSeen = markSeen && !s.sel.readOnly
	// Header blocks are read envelopeBatch at a time: each query scans the
	// mailbox, so a query per loadBatch would scan a large one many times.
	var headers map[string][]byte
	for start := 0; start < len(idx); start += loadBatch {
		chunk := idx[start:min(start+loadBatch, len(idx))]
		if options.Envelope && !needsFull(options) && start%envelopeBatch == 0 {
			if headers, err = s.headers(idx[start:min(start+envelopeBatch, len(idx))]); err != nil {
				return err
			}
		}
		msgs, err := s.bodies(chunk, needsFull(options))
		if err != nil {
			return err
		}
		for _, i := range chunk {
			msg := msgs[s.sel.msgs[i].UID]
			if headers != nil {
				h, ok := headers[s.sel.msgs[i].RefID]
				if !ok {
					return noError("a message was removed meanwhile; try again")
				}
				msg = &store.Message{Raw: h}
			}
			if err := s.fetchOne(w, i, msg, options, markSeen); err != nil {
				return err
			}
		}
	}
	return nil
}

// bodies reads the messages of the given view indexes (sorted), still
// encoded: each is decoded as far as its use needs.
func (s *session) bodies(chunk []int, need bool) (map[uint32]*store.Message, error) {
	out := map[uint32]*store.Message{}
	if !need || len(chunk) == 0 {
		return out, nil
	}
	lo, hi := s.sel.msgs[chunk[0]].UID, s.sel.msgs[chunk[len(chunk)-1]].UID
	msgs, err := s.b.Store.Load(s.ctx, s.sel.box, lo, hi)
	if err != nil {
		return nil, serverError(err)
	}
	for i := range msgs {
		out[msgs[i].UID] = &msgs[i]
	}
	return out, nil
}

func (s *session) fetchOne(w *imapserver.FetchWriter, i int, msg *store.Message, o *imap.FetchOptions, markSeen bool) error {
	m := &s.sel.msgs[i]
	var raw, header []byte
	if msg == nil && needsBody(o) {
		return noError("a message was removed meanwhile; try again")
	}
	// A whole-message fetch is written as it is decoded when the stored
	// form's length (its gzip trailer) is the size column's: the literal
	// announces it before a byte is decoded.
	stream := false
	if msg != nil && streamable(o) {
		n, ok := msg.Len()
		stream = ok && n == msg.Size
	}
	if msg != nil && !stream {
		var err error
		if needsFull(o) {
			raw, err = msg.Bytes()
			header = raw
		} else {
			header, err = msg.Header()
		}
		if err != nil {
			return serverError(err)
		}
	}
	writeFlags := o.Flags
	if markSeen && !store.HasFlag(m.Flags, store.FlagSeen) {
		flags := append(append([]string(nil), m.Flags...), store.FlagSeen)
		if err := s.b.Store.SetFlags(s.ctx, m.RefID, flags); err != nil {
			return serverError(err)
		}
		m.Flags = flags
		writeFlags = true
	}
	rw := w.CreateMessage(uint32(i + 1))
	rw.WriteUID(imap.UID(m.UID))
	if writeFlags {
		rw.WriteFlags(flagList(m.Flags))
	}
	if o.InternalDate {
		rw.WriteInternalDate(m.Date)
	}
	if o.RFC822Size {
		rw.WriteRFC822Size(m.Size)
	}
	if o.Envelope {
		rw.WriteEnvelope(envelope(header))
	}
	if o.BodyStructure != nil {
		rw.WriteBodyStructure(imapserver.ExtractBodyStructure(bytes.NewReader(raw)))
	}
	for _, bs := range o.BodySection {
		if stream {
			if err := writeWhole(rw, bs, msg); err != nil {
				return err
			}
			continue
		}
		b := imapserver.ExtractBodySection(bytes.NewReader(raw), bs)
		if err := writeSection(rw.WriteBodySection(bs, int64(len(b))), b); err != nil {
			return err
		}
	}
	for _, bs := range o.BinarySection {
		b := imapserver.ExtractBinarySection(bytes.NewReader(raw), bs)
		if err := writeSection(rw.WriteBinarySection(bs, int64(len(b))), b); err != nil {
			return err
		}
	}
	for _, bs := range o.BinarySectionSize {
		rw.WriteBinarySectionSize(bs, imapserver.ExtractBinarySectionSize(bytes.NewReader(raw), bs))
	}
	return rw.Close()
}

// streamable says whether every part of the message a fetch needs is the
// whole message (BODY[] or BODY.PEEK[], what clients download mail
// with): it is then written as it is decoded, never held whole.
func streamable(o *imap.FetchOptions) bool {
	if o.Envelope || o.BodyStructure != nil || len(o.BinarySection) > 0 || len(o.BinarySectionSize) > 0 || len(o.BodySection) == 0 {
		return false
	}
	for _, bs := range o.BodySection {
		if bs.Specifier != imap.PartSpecifierNone || len(bs.Part) > 0 || bs.Partial != nil {
			return false
		}
	}
	return true
}

// writeWhole writes msg as the body section bs, a literal of msg.Size
// bytes, opening it first: a stored value that cannot be read fails
// before the literal is announced.
func writeWhole(rw *imapserver.FetchResponseWriter, bs *imap.FetchItemBodySection, msg *store.Message) error {
	rc, err := msg.Open()
	if err != nil {
		return serverError(err)
	}
	defer rc.Close()
	wc := rw.WriteBodySection(bs, msg.Size)
	_, err = io.Copy(wc, rc)
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeSection(wc io.WriteCloser, b []byte) error {
	_, err := wc.Write(b)
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}

func envelope(raw []byte) *imap.Envelope {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return &imap.Envelope{}
	}
	return imapserver.ExtractEnvelope(h)
}

// Store implements imapserver.Session.
func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, _ *imap.StoreOptions) error {
	if s.sel.readOnly {
		return noError("mailbox is read-only")
	}
	idx, err := s.indexes(numSet)
	if err != nil {
		return err
	}
	for _, i := range idx {
		m := &s.sel.msgs[i]
		next := applyStore(m.Flags, flags)
		if !sameFlags(next, m.Flags) {
			if err := s.b.Store.SetFlags(s.ctx, m.RefID, next); err != nil {
				return serverError(err)
			}
			m.Flags = next
		}
		if !flags.Silent {
			rw := w.CreateMessage(uint32(i + 1))
			rw.WriteUID(imap.UID(m.UID))
			rw.WriteFlags(flagList(m.Flags))
			if err := rw.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyStore computes a message's flags after a STORE.
func applyStore(cur []string, st *imap.StoreFlags) []string {
	var out []string
	if st.Op != imap.StoreFlagsSet {
		out = append(out, cur...)
	}
	for _, f := range st.Flags {
		name := string(f)
		if name == store.FlagRecent {
			continue
		}
		has := store.HasFlag(out, name)
		switch {
		case st.Op == imap.StoreFlagsDel:
			out = slices.DeleteFunc(out, func(x string) bool { return strings.EqualFold(x, name) })
		case !has:
			out = append(out, name)
		}
	}
	return out
}

func sameFlags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, f := range a {
		if !store.HasFlag(b, f) {
			return false
		}
	}
	return true
}
