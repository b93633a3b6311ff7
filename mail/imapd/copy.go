package imapd

import (
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/apiary/apiary/mail/store"
)

// Expunge implements imapserver.Session: rows flagged \Deleted (within
// uids, when given) are deleted.
func (s *session) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if s.sel.readOnly {
		return noError("mailbox is read-only")
	}
	var idx []int
	for i, m := range s.sel.msgs {
		if store.HasFlag(m.Flags, store.FlagDeleted) && (uids == nil || uids.Contains(imap.UID(m.UID))) {
			idx = append(idx, i)
		}
	}
	return s.remove(idx, w.WriteExpunge)
}

// remove deletes the rows of view indexes idx and reports each as expunged,
// highest sequence number first so the others stay valid.
func (s *session) remove(idx []int, expunge func(uint32) error) error {
	refs := make([]string, len(idx))
	for i, n := range idx {
		refs[i] = s.sel.msgs[n].RefID
	}
	if err := s.b.Store.Remove(s.ctx, refs); err != nil {
		return serverError(err)
	}
	for i := len(idx) - 1; i >= 0; i-- {
		s.sel.msgs = slices.Delete(s.sel.msgs, idx[i], idx[i]+1)
		if err := expunge(uint32(idx[i] + 1)); err != nil {
			return err
		}
	}
	return nil
}

// Copy implements imapserver.Session.
func (s *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	d, _, err := s.copy(numSet, dest)
	return d, err
}

func (s *session) copy(numSet imap.NumSet, dest string) (*imap.CopyData, []int, error) {
	idx, err := s.indexes(numSet)
	if err != nil {
		return nil, nil, err
	}
	dst, err := s.b.Store.Mailbox(s.ctx, *s.acct, dest)
	if err != nil {
		return nil, nil, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTryCreate, Text: "No such mailbox"}
	}
	if dst.RefID == s.sel.box.RefID {
		return nil, nil, noError("source and destination mailboxes are the same")
	}
	data := &imap.CopyData{UIDValidity: dst.UIDValidity}
	for start := 0; start < len(idx); start += loadBatch {
		chunk := idx[start:min(start+loadBatch, len(idx))]
		loaded, err := s.bodies(chunk, true)
		if err != nil {
			return nil, nil, err
		}
		msgs := make([]store.Message, 0, len(chunk))
		for _, i := range chunk {
			m := s.sel.msgs[i]
			lm, ok := loaded[m.UID]
			if !ok {
				return nil, nil, noError("a message was removed meanwhile; try again")
			}
			lm.Meta = m
			msgs = append(msgs, *lm)
			data.SourceUIDs.AddNum(imap.UID(m.UID))
		}
		uids, err := s.b.Store.CopyTo(s.ctx, *s.acct, msgs, dst)
		if err != nil {
			return nil, nil, serverError(err)
		}
		for _, u := range uids {
			data.DestUIDs.AddNum(imap.UID(u))
		}
	}
	return data, idx, nil
}

// Move implements imapserver.SessionMove: a copy, then the originals are
// deleted and reported expunged.
func (s *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if s.sel.readOnly {
		return noError("mailbox is read-only")
	}
	data, idx, err := s.copy(numSet, dest)
	if err != nil {
		return err
	}
	if err := w.WriteCopyData(data); err != nil {
		return err
	}
	return s.remove(idx, w.WriteExpunge)
}
