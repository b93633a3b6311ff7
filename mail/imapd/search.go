package imapd

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/apiary/apiary/mail/store"
)

// Search implements imapserver.Session. Flag, size, date, UID and
// sequence criteria use the view; header and text criteria read bodies.
func (s *session) Search(kind imapserver.NumKind, c *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	var all []int
	for i := range s.sel.msgs {
		all = append(all, i)
	}
	var loaded map[uint32]*store.Message
	if needsText(c) {
		var err error
		if loaded, err = s.bodies(all, true); err != nil {
			return nil, err
		}
	}
	d := &imap.SearchData{}
	var seqs imap.SeqSet
	var uids imap.UIDSet
	for _, i := range all {
		m := s.sel.msgs[i]
		var raw []byte
		if lm := loaded[m.UID]; lm != nil {
			var err error
			if raw, err = lm.Bytes(); err != nil {
				return nil, serverError(err)
			}
		}
		if !s.match(i, m, raw, c) {
			continue
		}
		uids.AddNum(imap.UID(m.UID))
		num := uint32(i + 1)
		if kind == imapserver.NumKindUID {
			num = m.UID
		}
		seqs.AddNum(uint32(i + 1))
		if d.Min == 0 || num < d.Min {
			d.Min = num
		}
		d.Max = max(d.Max, num)
		d.Count++
	}
	if kind == imapserver.NumKindUID {
		d.All = uids
	} else {
		d.All = seqs
	}
	if options != nil && options.ReturnSave {
		s.sel.search = uids
	}
	return d, nil
}

func needsText(c *imap.SearchCriteria) bool {
	if len(c.Header) > 0 || len(c.Body) > 0 || len(c.Text) > 0 || !c.SentSince.IsZero() || !c.SentBefore.IsZero() {
		return true
	}
	for i := range c.Not {
		if needsText(&c.Not[i]) {
			return true
		}
	}
	for _, or := range c.Or {
		if needsText(&or[0]) || needsText(&or[1]) {
			return true
		}
	}
	return false
}

func (s *session) match(i int, m store.Meta, raw []byte, c *imap.SearchCriteria) bool {
	for _, set := range c.SeqNum {
		if !s.inSet(i, set) {
			return false
		}
	}
	for _, set := range c.UID {
		if !s.inSet(i, set) {
			return false
		}
	}
	if !inDates(m.Date, c.Since, c.Before) {
		return false
	}
	for _, f := range c.Flag {
		if !store.HasFlag(m.Flags, string(f)) {
			return false
		}
	}
	for _, f := range c.NotFlag {
		if store.HasFlag(m.Flags, string(f)) {
			return false
		}
	}
	if (c.Larger != 0 && m.Size <= c.Larger) || (c.Smaller != 0 && m.Size >= c.Smaller) {
		return false
	}
	if raw != nil && !matchText(raw, c) {
		return false
	}
	for k := range c.Not {
		if s.match(i, m, raw, &c.Not[k]) {
			return false
		}
	}
	for _, or := range c.Or {
		if !s.match(i, m, raw, &or[0]) && !s.match(i, m, raw, &or[1]) {
			return false
		}
	}
	return true
}

func (s *session) inSet(i int, set imap.NumSet) bool {
	idx, err := s.indexes(set)
	if err != nil {
		return false
	}
	for _, n := range idx {
		if n == i {
			return true
		}
	}
	return false
}

// inDates compares dates only, ignoring time and zone (RFC 3501 §6.4.4).
func inDates(t, since, before time.Time) bool {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return (since.IsZero() || !d.Before(since)) && (before.IsZero() || d.Before(before))
}

func matchText(raw []byte, c *imap.SearchCriteria) bool {
	e, _ := message.Read(bytes.NewReader(raw))
	if e == nil {
		return false
	}
	h := mail.Header{Header: e.Header}
	for _, hc := range c.Header {
		vals := h.Values(hc.Key)
		if len(vals) == 0 || (hc.Value != "" && !containsFold(strings.Join(vals, "\n"), hc.Value)) {
			return false
		}
	}
	if !c.SentSince.IsZero() || !c.SentBefore.IsZero() {
		t, err := h.Date()
		if err != nil || !inDates(t, c.SentSince, c.SentBefore) {
			return false
		}
	}
	body := ""
	if len(c.Body) > 0 || len(c.Text) > 0 {
		b, _ := io.ReadAll(e.Body)
		body = string(b)
	}
	for _, t := range c.Body {
		if !containsFold(body, t) {
			return false
		}
	}
	for _, t := range c.Text {
		if !containsFold(string(raw), t) {
			return false
		}
	}
	return true
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
