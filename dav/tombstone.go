package dav

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Deletes made outside DAV (JSON:API, GraphQL, actions) leave a tombstone
// too: the delete event carries the row as it was, and a follow-up write
// records its file name in the collection's tombstones, so the next
// sync-collection reports it. DAV's own deletes write their tombstone in
// the deleting transaction and mark the row, so the event adds none.

// deleteMarks remembers objects DAV is deleting itself.
type deleteMarks struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// markTTL is how long a mark waits for its delete event.
const markTTL = time.Minute

// mark records that DAV deletes ref (and tombstones it itself).
func (d *deleteMarks) mark(ref string, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]time.Time{}
	}
	if len(d.m) >= maxCachedStates {
		for k, at := range d.m {
			if now.Sub(at) > markTTL {
				delete(d.m, k)
			}
		}
	}
	d.m[ref] = now
}

// take reports whether ref was marked within markTTL, and forgets it.
func (d *deleteMarks) take(ref string, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.m[ref]
	if ok {
		delete(d.m, ref)
	}
	return ok && now.Sub(at) <= markTTL
}

// deletedObject returns the collection reference and file name of a
// calendar or vCard row deleted outside DAV, or ok false when the change
// needs no tombstone.
func (h *Handler) deletedObject(c resource.Change) (coll, file string, ok bool) {
	if (c.Table != tableCalendar && c.Table != tableVCard) || c.Op != resource.OpDelete || c.Before == nil {
		return "", "", false
	}
	if h.marks.take(c.RefID, time.Now()) {
		return "", "", false
	}
	coll, file = str(c.Before["collection_id"]), str(c.Before["file_name"])
	return coll, file, coll != "" && file != ""
}

// movedObject returns the collection reference and file name an update
// took the object away from (a new file_name or collection_id written
// over JSON:API or GraphQL); DAV's own updates keep both.
func movedObject(c resource.Change) (coll, file string, ok bool) {
	if (c.Table != tableCalendar && c.Table != tableVCard) || c.Op != resource.OpUpdate || c.Before == nil || c.Row == nil {
		return "", "", false
	}
	coll, file = str(c.Before["collection_id"]), str(c.Before["file_name"])
	if coll == "" || file == "" || (coll == str(c.Row["collection_id"]) && file == str(c.Row["file_name"])) {
		return "", "", false
	}
	return coll, file, true
}

// tombstoneForeign writes the tombstone of an object deleted (or renamed
// or moved away) outside DAV,
// with system rights, owned by the collection's owner and shared like the
// collection. A collection deleted with it needs none.
func (h *Handler) tombstoneForeign(c resource.Change) {
	collRef, file, ok := h.deletedObject(c)
	if !ok {
		collRef, file, ok = movedObject(c)
	}
	if !ok {
		return
	}
	go func() {
		h.follow.Lock()
		defer h.follow.Unlock()
		ctx := auth.WithPrincipal(context.Background(), auth.System())
		if err := writeTombstone(ctx, h.d.Res(), collRef, file); err != nil && !errors.Is(err, resource.ErrNotFound) {
			h.d.Log.WarnContext(ctx, "tombstone for a delete outside DAV failed", "collection", collRef, "file", file, "err", err)
		}
	}()
}

// writeTombstone records file as deleted from collection collRef.
func writeTombstone(ctx context.Context, res resource.Service, collRef, file string) error {
	return res.InTx(ctx, func(tx resource.Service) error {
		cr, err := tx.Get(ctx, tableCollection, collRef, resource.Query{Fields: []string{"user_account_id"}})
		if err != nil {
			return err
		}
		row, err := tx.Create(ctx, tableTombstone, resource.Input{Attributes: map[string]any{"file_name": file},
			Owner:         str(cr.Attrs["user_account_id"]),
			Relationships: map[string]resource.RelInput{"collection_id": {Refs: []resource.Ref{{Type: tableCollection, ID: collRef}}}}})
		if err != nil {
			return err
		}
		links, err := groupLinks(ctx, tx, collRef)
		if err != nil {
			return err
		}
		return shareObject(ctx, tx, tableTombstone, row.RefID, links)
	})
}
