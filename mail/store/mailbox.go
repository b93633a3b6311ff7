package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// RowPermission is the permission of mailbox and message rows: the owner
// (the account's user) may read, change and delete them. Daptin wrote 768
// (read and create only), which made flags unchangeable over the API.
const RowPermission = auth.UserCRUD | auth.UserExecute

// Mailbox is one mail_box row.
type Mailbox struct {
	RefID       string
	Name        string
	UIDValidity uint32
	NextUID     uint32
	Subscribed  bool
}

// BoxOf reads a mail_box row.
func BoxOf(r resource.Row) Mailbox {
	return Mailbox{RefID: r.RefID, Name: str(r.Attrs["name"]), UIDValidity: uint32(num(r.Attrs["uidvalidity"])),
		NextUID: uint32(num(r.Attrs["nextuid"])), Subscribed: resource.Truthy(r.Attrs["subscribed"])}
}

// IsInbox says whether name is INBOX, which is case-insensitive.
func IsInbox(name string) bool { return strings.EqualFold(name, "INBOX") }

func sameBox(a, b string) bool {
	if IsInbox(a) || IsInbox(b) {
		return IsInbox(a) && IsInbox(b)
	}
	return a == b
}

// Mailboxes lists an account's mailboxes, creating the default ones first.
func (s *Store) Mailboxes(ctx context.Context, acct Account) ([]Mailbox, error) {
	boxes, err := s.listBoxes(ctx, acct)
	if err != nil {
		return nil, err
	}
	missing := false
	for _, name := range DefaultBoxes {
		missing = missing || find(boxes, name) < 0
	}
	if !missing {
		return boxes, nil
	}
	// Creation is serialised and re-checked, so concurrent first
	// deliveries cannot create two INBOXes.
	s.createMu.Lock()
	defer s.createMu.Unlock()
	if boxes, err = s.listBoxes(ctx, acct); err != nil {
		return nil, err
	}
	for _, name := range DefaultBoxes {
		if find(boxes, name) < 0 {
			b, err := s.createBox(ctx, s.res(), acct, name)
			if err != nil {
				return nil, err
			}
			boxes = append(boxes, b)
		}
	}
	return boxes, nil
}

func (s *Store) listBoxes(ctx context.Context, acct Account) ([]Mailbox, error) {
	rows, err := s.all(sys(ctx), TableBox, resource.Query{RelFilters: map[string][]string{"mail_account_id": {acct.RefID}},
		Sort: []resource.SortKey{{Column: "id"}}})
	if err != nil {
		return nil, err
	}
	out := make([]Mailbox, len(rows))
	for i, r := range rows {
		out[i] = BoxOf(r)
	}
	return out, nil
}

func find(boxes []Mailbox, name string) int {
	for i, b := range boxes {
		if sameBox(b.Name, name) {
			return i
		}
	}
	return -1
}

// Mailbox finds one mailbox by name; a missing default mailbox is created.
func (s *Store) Mailbox(ctx context.Context, acct Account, name string) (Mailbox, error) {
	boxes, err := s.listBoxes(ctx, acct)
	if err != nil {
		return Mailbox{}, err
	}
	if i := find(boxes, name); i >= 0 {
		return boxes[i], nil
	}
	for _, d := range DefaultBoxes {
		if sameBox(d, name) {
			s.createMu.Lock()
			defer s.createMu.Unlock()
			if boxes, err = s.listBoxes(ctx, acct); err != nil {
				return Mailbox{}, err
			}
			if i := find(boxes, name); i >= 0 {
				return boxes[i], nil
			}
			return s.createBox(ctx, s.res(), acct, d)
		}
	}
	return Mailbox{}, fmt.Errorf("%w: %s", ErrNoMailbox, name)
}

// CreateMailbox adds a mailbox; its UIDVALIDITY is the current Unix time.
func (s *Store) CreateMailbox(ctx context.Context, acct Account, name string) error {
	if strings.TrimSpace(name) == "" || len(name) > 100 {
		return fmt.Errorf("mailbox name must have 1 to 100 characters")
	}
	s.createMu.Lock()
	defer s.createMu.Unlock()
	boxes, err := s.listBoxes(ctx, acct)
	if err != nil {
		return err
	}
	if find(boxes, name) >= 0 {
		return ErrExists
	}
	_, err = s.createBox(ctx, s.res(), acct, name)
	return err
}

func (s *Store) createBox(ctx context.Context, res resource.Service, acct Account, name string) (Mailbox, error) {
	if IsInbox(name) {
		name = "INBOX"
	}
	r, err := s.createOwned(ctx, res, TableBox, acct.OwnerRef, map[string]any{
		"name": name, "subscribed": true, "uidvalidity": s.now().Unix() & 0x7fffffff, "nextuid": 1,
		"flags": `\*`, "permanent_flags": `\*`, "mail_account_id": acct.RefID, "attributes": boxAttributes(name),
	})
	if err != nil {
		return Mailbox{}, err
	}
	return BoxOf(r), nil
}

// createOwned creates a row as the system, owned by owner (the account's
// user) with RowPermission.
func (s *Store) createOwned(ctx context.Context, res resource.Service, table, owner string, attrs map[string]any) (resource.Row, error) {
	perm := int64(RowPermission)
	return res.Create(sys(ctx), table, resource.Input{Attributes: attrs, Owner: owner, Permission: &perm})
}

// DeleteMailbox removes a mailbox and its messages; INBOX cannot go.
func (s *Store) DeleteMailbox(ctx context.Context, acct Account, name string) error {
	if IsInbox(name) {
		return fmt.Errorf("cannot delete INBOX")
	}
	b, err := s.Mailbox(ctx, acct, name)
	if err != nil {
		return err
	}
	msgs, err := s.Messages(ctx, b)
	if err != nil {
		return err
	}
	return s.res().InTx(sys(ctx), func(tx resource.Service) error {
		for _, m := range msgs {
			if err := tx.Delete(sys(ctx), TableMail, m.RefID); err != nil {
				return err
			}
		}
		return tx.Delete(sys(ctx), TableBox, b.RefID)
	})
}

// RenameMailbox renames a mailbox; renaming INBOX is refused.
func (s *Store) RenameMailbox(ctx context.Context, acct Account, from, to string) error {
	if IsInbox(from) || IsInbox(to) {
		return fmt.Errorf("cannot rename INBOX")
	}
	boxes, err := s.listBoxes(ctx, acct)
	if err != nil {
		return err
	}
	i := find(boxes, from)
	if i < 0 {
		return fmt.Errorf("%w: %s", ErrNoMailbox, from)
	}
	if find(boxes, to) >= 0 {
		return ErrExists
	}
	_, err = s.res().Update(sys(ctx), TableBox, boxes[i].RefID, resource.Input{Attributes: map[string]any{"name": to}})
	return err
}

// SetSubscribed changes a mailbox's subscription.
func (s *Store) SetSubscribed(ctx context.Context, acct Account, name string, on bool) error {
	b, err := s.Mailbox(ctx, acct, name)
	if err != nil {
		return err
	}
	_, err = s.res().Update(sys(ctx), TableBox, b.RefID, resource.Input{Attributes: map[string]any{"subscribed": on}})
	return err
}

// boxAttributes is the attributes column of a new mailbox: its RFC 6154
// special use, if any.
func boxAttributes(name string) string {
	switch name {
	case "Sent", "Drafts", "Trash", "Archive":
		return `\` + name
	case "Spam":
		return `\Junk`
	}
	return `\HasNoChildren`
}
