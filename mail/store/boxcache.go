package store

import (
	"context"
	"sync"

	"github.com/apiary/apiary/resource"
)

// boxCache remembers which mailbox row a delivery to (account, name)
// goes to, so a delivery does not list the account's mailboxes. An entry
// is dropped when its row is deleted or renamed (Observe).
type boxCache struct {
	mu sync.Mutex
	m  map[boxKey]Mailbox
}

type boxKey struct{ account, name string }

func newBoxCache() *boxCache { return &boxCache{m: map[boxKey]Mailbox{}} }

// observe drops the entries a mailbox change invalidates.
func (c *boxCache) observe(ch resource.Change) {
	if c == nil || ch.Table != TableBox || ch.Op == resource.OpCreate {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, b := range c.m {
		if b.RefID != ch.RefID {
			continue
		}
		if ch.Op == resource.OpDelete || ch.Row == nil || str(ch.Row["name"]) != b.Name {
			delete(c.m, k)
		}
	}
}

// deliveryBox is Mailbox for deliveries: its RefID and UIDValidity are
// what a delivery needs (NextUID is not kept current here).
func (s *Store) deliveryBox(ctx context.Context, acct Account, name string) (Mailbox, error) {
	k := boxKey{acct.RefID, name}
	s.boxes.mu.Lock()
	b, ok := s.boxes.m[k]
	s.boxes.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := s.Mailbox(ctx, acct, name)
	if err != nil {
		return b, err
	}
	s.boxes.mu.Lock()
	s.boxes.m[k] = b
	s.boxes.mu.Unlock()
	return b, nil
}
