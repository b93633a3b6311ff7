package imapd

import (
	"slices"
	"sort"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/apiary/apiary/mail/store"
)

// selected is the session's view of its selected mailbox: msgs[i] has
// sequence number i+1 until the client is told otherwise.
type selected struct {
	box      store.Mailbox
	readOnly bool
	msgs     []store.Meta
	w        *watcher
	search   imap.UIDSet // SEARCHRES ($)
}

// systemFlags are always listed in FLAGS.
var systemFlags = []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft}

// Select implements imapserver.Session.
func (s *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	s.unselect()
	b, err := s.b.Store.Mailbox(s.ctx, *s.acct, name)
	if err != nil {
		return nil, serverError(err)
	}
	w := s.b.Hub.watch(b.RefID)
	msgs, err := s.b.Store.Messages(s.ctx, b)
	if err != nil {
		s.b.Hub.unwatch(w)
		return nil, serverError(err)
	}
	s.sel = &selected{box: b, readOnly: options != nil && options.ReadOnly, msgs: msgs, w: w}
	flags := slices.Clone(systemFlags)
	for _, m := range msgs {
		for _, f := range m.Flags {
			if !slices.Contains(flags, imap.Flag(f)) {
				flags = append(flags, imap.Flag(f))
			}
		}
	}
	d := &imap.SelectData{Flags: flags, PermanentFlags: append(slices.Clone(flags), imap.FlagWildcard),
		NumMessages: uint32(len(msgs)), UIDNext: imap.UID(max(b.NextUID, 1)), UIDValidity: b.UIDValidity}
	for i, m := range msgs {
		if !store.HasFlag(m.Flags, store.FlagSeen) {
			d.FirstUnseenSeqNum = uint32(i + 1)
			break
		}
	}
	return d, nil
}

// Unselect implements imapserver.Session.
func (s *session) Unselect() error {
	s.unselect()
	return nil
}

func (s *session) unselect() {
	if s.sel != nil {
		s.b.Hub.unwatch(s.sel.w)
		s.sel = nil
	}
}

// Poll implements imapserver.Session: it reports what changed since the
// last report, if anything did.
func (s *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if s.sel == nil {
		return nil
	}
	select {
	case <-s.sel.w.ch:
		return s.sync(w, allowExpunge)
	default:
		return nil
	}
}

// Idle implements imapserver.Session: changes from any surface are pushed
// as they commit.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if s.sel == nil {
		<-stop
		return nil
	}
	for {
		select {
		case <-stop:
			return nil
		case <-s.sel.w.ch:
			if err := s.sync(w, true); err != nil {
				return err
			}
		}
	}
}

// sync compares the view with the mailbox and writes EXPUNGE, FETCH
// FLAGS and EXISTS for the differences.
func (s *session) sync(w *imapserver.UpdateWriter, allowExpunge bool) error {
	cur, err := s.b.Store.Messages(s.ctx, s.sel.box)
	if err != nil {
		return serverError(err)
	}
	byUID := make(map[uint32]store.Meta, len(cur))
	for _, m := range cur {
		byUID[m.UID] = m
	}
	old := s.sel.msgs
	if allowExpunge {
		for i := len(old) - 1; i >= 0; i-- {
			if _, ok := byUID[old[i].UID]; !ok {
				if err := w.WriteExpunge(uint32(i + 1)); err != nil {
					return err
				}
				old = slices.Delete(old, i, i+1)
			}
		}
	}
	last := uint32(0)
	for i, m := range old {
		last = max(last, m.UID)
		n, ok := byUID[m.UID]
		if !ok || slices.Equal(n.Flags, m.Flags) {
			continue
		}
		old[i].Flags = n.Flags
		if err := w.WriteMessageFlags(uint32(i+1), imap.UID(m.UID), flagList(n.Flags)); err != nil {
			return err
		}
	}
	grew := false
	for _, m := range cur {
		if m.UID > last {
			old = append(old, m)
			grew = true
		}
	}
	s.sel.msgs = old
	if grew {
		return w.WriteNumMessages(uint32(len(old)))
	}
	return nil
}

func flagList(fs []string) []imap.Flag {
	out := make([]imap.Flag, len(fs))
	for i, f := range fs {
		out[i] = imap.Flag(f)
	}
	return out
}

var errBadSeq = &imap.Error{Type: imap.StatusResponseTypeBad, Text: "Invalid message sequence number"}

// indexes resolves a sequence or UID set into view indexes, in order.
func (s *session) indexes(numSet imap.NumSet) ([]int, error) {
	msgs := s.sel.msgs
	if imap.IsSearchRes(numSet) {
		numSet = s.sel.search
	}
	var out []int
	switch set := numSet.(type) {
	case imap.SeqSet:
		n := uint32(len(msgs))
		for _, r := range set {
			lo, hi := r.Start, r.Stop
			if lo == 0 {
				lo = n
			}
			if hi == 0 {
				hi = n
			}
			if lo > hi {
				lo, hi = hi, lo
			}
			if lo == 0 || hi > n {
				return nil, errBadSeq
			}
			for i := lo; i <= hi; i++ {
				out = append(out, int(i-1))
			}
		}
	case imap.UIDSet:
		maxUID := uint32(0)
		if len(msgs) > 0 {
			maxUID = msgs[len(msgs)-1].UID
		}
		for _, r := range set {
			lo, hi := uint32(r.Start), uint32(r.Stop)
			if lo == 0 {
				lo = maxUID
			}
			if hi == 0 {
				hi = maxUID
			}
			if lo > hi {
				lo, hi = hi, lo
			}
			a := sort.Search(len(msgs), func(i int) bool { return msgs[i].UID >= lo })
			for i := a; i < len(msgs) && msgs[i].UID <= hi; i++ {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
