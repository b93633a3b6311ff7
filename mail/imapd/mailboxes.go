package imapd

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/apiary/apiary/mail/store"
)

// specialUse maps the default mailboxes to their RFC 6154 attributes.
var specialUse = map[string]imap.MailboxAttr{
	"Sent": imap.MailboxAttrSent, "Drafts": imap.MailboxAttrDrafts, "Trash": imap.MailboxAttrTrash,
	"Spam": imap.MailboxAttrJunk, "Archive": imap.MailboxAttrArchive,
}

// List implements imapserver.Session.
func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: Delim})
	}
	boxes, err := s.b.Store.Mailboxes(s.ctx, *s.acct)
	if err != nil {
		return serverError(err)
	}
	for _, b := range boxes {
		if !matchAny(b.Name, ref, patterns) {
			continue
		}
		if options.SelectSubscribed && !b.Subscribed {
			continue
		}
		su, isSpecial := specialUse[b.Name]
		if options.SelectSpecialUse && !isSpecial {
			continue
		}
		d := imap.ListData{Mailbox: b.Name, Delim: Delim}
		if b.Subscribed {
			d.Attrs = append(d.Attrs, imap.MailboxAttrSubscribed)
		}
		if isSpecial {
			d.Attrs = append(d.Attrs, su)
		}
		if options.ReturnStatus != nil {
			if d.Status, err = s.status(b, options.ReturnStatus); err != nil {
				return err
			}
		}
		if err := w.WriteList(&d); err != nil {
			return err
		}
	}
	return nil
}

func matchAny(name, ref string, patterns []string) bool {
	for _, p := range patterns {
		if imapserver.MatchList(name, Delim, ref, p) {
			return true
		}
	}
	return false
}

// Status implements imapserver.Session.
func (s *session) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	b, err := s.b.Store.Mailbox(s.ctx, *s.acct, name)
	if err != nil {
		return nil, serverError(err)
	}
	return s.status(b, options)
}

func (s *session) status(b store.Mailbox, options *imap.StatusOptions) (*imap.StatusData, error) {
	msgs, err := s.b.Store.Messages(s.ctx, b)
	if err != nil {
		return nil, serverError(err)
	}
	d := &imap.StatusData{Mailbox: b.Name, UIDNext: imap.UID(max(b.NextUID, 1)), UIDValidity: b.UIDValidity}
	n, unseen, deleted, size := uint32(len(msgs)), uint32(0), uint32(0), int64(0)
	for _, m := range msgs {
		if !store.HasFlag(m.Flags, store.FlagSeen) {
			unseen++
		}
		if store.HasFlag(m.Flags, store.FlagDeleted) {
			deleted++
		}
		size += m.Size
	}
	zero := uint32(0)
	if options.NumMessages {
		d.NumMessages = &n
	}
	if options.NumUnseen {
		d.NumUnseen = &unseen
	}
	if options.NumDeleted {
		d.NumDeleted = &deleted
	}
	if options.NumRecent {
		d.NumRecent = &zero
	}
	if options.Size {
		d.Size = &size
	}
	return d, nil
}

// Create implements imapserver.Session.
func (s *session) Create(name string, _ *imap.CreateOptions) error {
	name = strings.TrimSuffix(name, string(Delim))
	if err := s.b.Store.CreateMailbox(s.ctx, *s.acct, name); err != nil {
		if strings.Contains(err.Error(), "characters") {
			return noError(err.Error())
		}
		return serverError(err)
	}
	return nil
}

// Delete implements imapserver.Session.
func (s *session) Delete(name string) error {
	if store.IsInbox(name) {
		return noError("cannot delete INBOX")
	}
	if err := s.b.Store.DeleteMailbox(s.ctx, *s.acct, name); err != nil {
		return serverError(err)
	}
	return nil
}

// Rename implements imapserver.Session.
func (s *session) Rename(from, to string, _ *imap.RenameOptions) error {
	if store.IsInbox(from) || store.IsInbox(to) {
		return noError("cannot rename INBOX")
	}
	if err := s.b.Store.RenameMailbox(s.ctx, *s.acct, from, to); err != nil {
		return serverError(err)
	}
	return nil
}

// Subscribe implements imapserver.Session.
func (s *session) Subscribe(name string) error {
	if err := s.b.Store.SetSubscribed(s.ctx, *s.acct, name, true); err != nil {
		return serverError(err)
	}
	return nil
}

// Unsubscribe implements imapserver.Session.
func (s *session) Unsubscribe(name string) error {
	if err := s.b.Store.SetSubscribed(s.ctx, *s.acct, name, false); err != nil {
		return serverError(err)
	}
	return nil
}

// Append implements imapserver.Session.
func (s *session) Append(name string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	s.nc.set(true, true)          // a stalled literal is cut after ReadTimeout
	raw := make([]byte, r.Size()) // AppendLimit bounds it; held once
	_, err := io.ReadFull(r, raw)
	s.nc.set(true, false)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return nil, noError("message contains NUL bytes")
	}
	if _, err := s.b.Store.Mailbox(s.ctx, *s.acct, name); err != nil {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTryCreate, Text: "No such mailbox"}
	}
	flags := make([]string, 0, len(options.Flags))
	for _, f := range options.Flags {
		flags = append(flags, string(f))
	}
	box, uid, err := s.b.Store.Deliver(s.ctx, *s.acct, name, raw, store.Delivery{Flags: flags, Date: options.Time})
	if err != nil {
		return nil, serverError(err)
	}
	return &imap.AppendData{UID: imap.UID(uid), UIDValidity: box.UIDValidity}, nil
}
