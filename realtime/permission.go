package realtime

import (
	"context"
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
}

func newRowChecker(h *Hub, p auth.Principal) *rowChecker { return &rowChecker{h: h, p: p} }

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
