package store

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/apiary/apiary/resource"
)

// metaTTL bounds how long a cached mailbox listing is trusted without a
// reload (changes made by other nodes of a cluster reach this node's
// cache only by reloading).
const metaTTL = 2 * time.Minute

// metaCache keeps the Meta of the messages of recently listed mailboxes,
// kept current by the resource layer's change events (Observe), so that
// SELECT, STATUS and IDLE updates need no query.
type metaCache struct {
	mu    sync.Mutex
	boxes map[string]*boxMeta // mailbox ref
	where map[string]string   // message ref -> mailbox ref, for cached boxes
}

type boxMeta struct {
	loaded  time.Time
	loading bool
	pending []resource.Change // changes seen while loading
	byRef   map[string]Meta
	sorted  []Meta // nil when byRef changed
}

func newMetaCache() *metaCache {
	return &metaCache{boxes: map[string]*boxMeta{}, where: map[string]string{}}
}

// Observe applies a committed change to the cache; the mail service
// subscribes it to the resource layer.
func (s *Store) Observe(c resource.Change) {
	s.boxes.observe(c)
	s.accounts.observe(c)
	if c.Table != TableMail && !(c.Table == TableBox && c.Op == resource.OpDelete) {
		return
	}
	m := s.cache
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.Table == TableBox {
		delete(m.boxes, c.RefID)
		return
	}
	box := m.where[c.RefID]
	if c.Row != nil {
		box = str(c.Row["mail_box_id"])
	}
	for _, b := range []string{m.where[c.RefID], box} {
		if e := m.boxes[b]; e != nil && e.loading {
			e.pending = append(e.pending, c)
		}
	}
	m.apply(c)
}

// apply changes the cached entries a change touches (m.mu held).
func (m *metaCache) apply(c resource.Change) {
	if old, ok := m.where[c.RefID]; ok {
		if e := m.boxes[old]; e != nil && !e.loading {
			delete(e.byRef, c.RefID)
			e.sorted = nil
		}
		delete(m.where, c.RefID)
	}
	if c.Op == resource.OpDelete || c.Row == nil {
		return
	}
	box := str(c.Row["mail_box_id"])
	if e := m.boxes[box]; e != nil && !e.loading {
		e.byRef[c.RefID] = metaOf(resource.Row{RefID: c.RefID, Attrs: c.Row})
		e.sorted = nil
		m.where[c.RefID] = box
	}
}

// cached returns a mailbox's listing when the cache holds a fresh one.
func (m *metaCache) cached(box string, now time.Time) ([]Meta, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.boxes[box]
	if e == nil || e.loading || now.Sub(e.loaded) > metaTTL {
		return nil, false
	}
	if e.sorted == nil {
		e.sorted = make([]Meta, 0, len(e.byRef))
		for _, v := range e.byRef {
			e.sorted = append(e.sorted, v)
		}
		slices.SortFunc(e.sorted, func(a, b Meta) int { return int(a.UID) - int(b.UID) })
	}
	return slices.Clone(e.sorted), true
}

// load lists a mailbox from the database and caches the listing; changes
// committed meanwhile are applied on top.
func (s *Store) load(ctx context.Context, box Mailbox) ([]Meta, error) {
	m := s.cache
	m.mu.Lock()
	e := m.boxes[box.RefID]
	if e == nil || !e.loading {
		if e != nil {
			for ref := range e.byRef {
				delete(m.where, ref)
			}
		}
		e = &boxMeta{loading: true}
		m.boxes[box.RefID] = e
	}
	m.mu.Unlock()
	msgs, err := s.list(ctx, box)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.boxes[box.RefID] != e {
		return msgs, err // dropped (mailbox deleted) or replaced meanwhile
	}
	if err != nil {
		delete(m.boxes, box.RefID)
		return nil, err
	}
	e.byRef = make(map[string]Meta, len(msgs))
	for _, x := range msgs {
		e.byRef[x.RefID] = x
		m.where[x.RefID] = box.RefID
	}
	e.loading, e.loaded = false, s.now()
	for _, c := range e.pending {
		m.apply(c)
	}
	e.pending = nil
	return msgs, nil
}
