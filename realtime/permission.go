package realtime

import (
	"context"
	"strconv"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// rowCheckTimeout bounds the group-sharing lookup of one event.
const rowCheckTimeout = 5 * time.Second

// rowChecker decides whether one subscriber may read the row of an event.
type rowChecker struct {
	h *Hub
	p auth.Principal
	// key names the principal's identity and groups: sessions with the
	// same key get the same answer for a row, so an event keeps one
	// group-sharing lookup per key.
	key string
}

func newRowChecker(h *Hub, p auth.Principal) *rowChecker {
	key := strconv.FormatInt(p.UserID, 10)
	for _, g := range p.GroupIDs() {
		key += "," + strconv.FormatInt(g, 10)
	}
	return &rowChecker{h: h, p: p, key: key}
}

// canReadEvent is canRead for e's row, answering the group-sharing lookup
// once per principal key and event.
func (c *rowChecker) canReadEvent(e *Event) bool {
	if c.p.IsAdmin() || auth.Can(c.p, auth.OpRead, e.Row.Object) {
		return true
	}
	if v, ok := e.reads.Load(c.key); ok {
		return v.(bool)
	}
	ok := c.canRead(e.Row, e.Kind)
	e.reads.Store(c.key, ok)
	return ok
}

// canRead applies the row's read permission. The event carries owner,
// permission and (on delete) the sharing groups; a create or update that
// fails the owner/guest check on a group-shared table is settled by the
// resource layer reading the row as the subscriber.
func (c *rowChecker) canRead(r *RowMeta, kind string) bool {
	if c.p.IsAdmin() {
		return true
	}
	if auth.Can(c.p, auth.OpRead, r.Object) {
		return true
	}
	if kind == string(resource.OpDelete) || !r.GroupShared || r.RefID == "" || len(c.p.Groups) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(auth.WithPrincipal(context.Background(), c.p), rowCheckTimeout)
	defer cancel()
	_, err := c.h.o.Res().Get(ctx, r.Table, r.RefID, resource.Query{Fields: []string{"reference_id"}})
	return err == nil
}

// canTable applies a table-level check (the table's world row).
func (h *Hub) canTable(ctx context.Context, p auth.Principal, table string, op auth.Op) (bool, error) {
	if p.IsAdmin() {
		return true, nil
	}
	obj, err := h.o.Res().TablePermission(ctx, table)
	if err != nil {
		return false, err
	}
	return auth.Can(p, op, obj), nil
}
