package dav

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Plain WebDAV collections (dav_kind "") may hold collections, as litmus
// and file clients expect; a nested collection is a collection row whose
// name is its path below the home set ("docs/2027"). Calendars and
// address books hold no collections (RFC 4791 §4.2, RFC 6352 §5.2), and
// only top-level collections appear in the home set.

// subCollections returns the collections directly inside name, from all.
func subCollections(all []coll, name string) []coll {
	var out []coll
	for _, c := range all {
		if parentName(c.name) == name && c.seg == c.name {
			out = append(out, c)
		}
	}
	return out
}

// descendants returns the caller's collections inside name, deepest
// first, so they can be deleted in order.
func descendants(ctx context.Context, res resource.Service, name string) ([]coll, error) {
	all, err := collections(ctx, res)
	if err != nil {
		return nil, err
	}
	var out []coll
	for _, c := range all {
		if strings.HasPrefix(c.name, name+"/") && c.seg == c.name {
			out = append(out, c)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i] // collections() sorts by name: parents first
	}
	return out, nil
}

// checkParent refuses a collection whose parent is missing (409) or is a
// calendar or address book (403), and one named like an object of its
// parent (405).
func checkParent(ctx context.Context, res resource.Service, name, kind string) *davError {
	parent := parentName(name)
	if parent == "" {
		return nil
	}
	if kind != "" {
		return errForbidden("calendars and address books must be created in the home set")
	}
	pc, err := findCollection(ctx, res, parent)
	if err != nil {
		return &davError{status: http.StatusInternalServerError, msg: "internal error"}
	}
	if pc == nil || pc.seg != pc.name {
		return &davError{status: http.StatusConflict, msg: "the parent collection does not exist"}
	}
	if pc.kind != "" {
		return errForbidden("calendars and address books cannot hold collections")
	}
	return nil
}

// objectAt returns the object a nested collection name would replace in
// its parent, with the parent.
func objectAt(ctx context.Context, res resource.Service, name string) (*coll, *object, error) {
	parent := parentName(name)
	if parent == "" {
		return nil, nil, nil
	}
	pc, err := findCollection(ctx, res, parent)
	if err != nil || pc == nil {
		return nil, nil, err
	}
	o, err := findObject(ctx, res, pc, name[len(parent)+1:])
	return pc, o, err
}

// removeCollection deletes c, its objects and tombstones, and every
// collection inside it.
func (h *Handler) removeCollection(ctx context.Context, tx resource.Service, c *coll) error {
	inner, err := descendants(ctx, tx, c.name)
	if err != nil {
		return err
	}
	for _, cc := range append(inner, *c) {
		for _, table := range []string{cc.table(), tableTombstone} {
			rows, err := listAll(ctx, tx, table, resource.Query{Fields: []string{"reference_id"},
				Conditions: []resource.Condition{cond("collection_id", "is", cc.ref)}})
			if err != nil {
				return err
			}
			for _, row := range rows {
				h.marks.mark(row.RefID, time.Now())
				if err := tx.Delete(ctx, table, row.RefID); err != nil {
					return err
				}
			}
		}
		if err := tx.Delete(ctx, tableCollection, cc.ref); err != nil {
			return err
		}
	}
	return nil
}

// copyCollection creates dst as a copy of src (its properties, and with
// deep its objects and inner collections).
func copyCollection(ctx context.Context, tx resource.Service, src *coll, dst string, deep bool) error {
	attrs := map[string]any{"name": dst, "dav_kind": src.kind, "description": src.description,
		"display_name": nilIfEmpty(src.display), "color": nilIfEmpty(src.color), "dead_props": nilIfEmpty(src.dead)}
	row, err := tx.Create(ctx, tableCollection, resource.Input{Attributes: attrs})
	if err != nil {
		return err
	}
	if !deep {
		return nil
	}
	dc := collFromRow(row, auth.PrincipalFrom(ctx).UserRef)
	os, err := objects(ctx, tx, src)
	if err != nil {
		return err
	}
	for _, o := range os {
		oa, derr := objectAttrs(&dc, o.file, o.content, "")
		if derr != nil {
			return derr
		}
		oa["dead_props"] = nilIfEmpty(o.dead)
		if _, err := tx.Create(ctx, dc.table(), resource.Input{Attributes: oa,
			Relationships: map[string]resource.RelInput{"collection_id": {Refs: []resource.Ref{{Type: tableCollection, ID: dc.ref}}}}}); err != nil {
			return err
		}
	}
	all, err := collections(ctx, tx)
	if err != nil {
		return err
	}
	for _, sub := range subCollections(all, src.name) {
		if err := copyCollection(ctx, tx, &sub, dst+sub.name[len(src.name):], true); err != nil {
			return err
		}
	}
	return nil
}

// renameCollection moves src and every collection inside it to dst.
func renameCollection(ctx context.Context, tx resource.Service, src *coll, dst string) error {
	inner, err := descendants(ctx, tx, src.name)
	if err != nil {
		return err
	}
	for _, c := range append(inner, *src) {
		if _, err := tx.Update(ctx, tableCollection, c.ref, resource.Input{Attributes: map[string]any{"name": dst + c.name[len(src.name):]}}); err != nil {
			return err
		}
	}
	return nil
}

// copyMoveCollection answers COPY and MOVE of a collection (RFC 4918
// §9.8, §9.9): Depth infinity (or 0 for a shallow COPY), Overwrite, and a
// destination whose parent exists.
func (h *Handler) copyMoveCollection(w http.ResponseWriter, r *http.Request, src *coll, dst string) *davError {
	ctx := r.Context()
	d := strings.ToLower(strings.TrimSpace(r.Header.Get("Depth")))
	deep := d == "" || d == "infinity"
	if !deep && (d != "0" || r.Method == "MOVE") {
		return errBadRequest("COPY of a collection takes Depth 0 or infinity, MOVE only infinity")
	}
	if src.seg != src.name {
		return errForbidden("a shared collection cannot be copied or moved")
	}
	if dst == src.name || strings.HasPrefix(dst, src.name+"/") {
		return errForbidden("the destination is the source or inside it")
	}
	res := h.d.Res()
	if derr := checkParent(ctx, res, dst, ""); derr != nil {
		return derr
	}
	existing, err := findCollection(ctx, res, dst)
	if err != nil {
		return h.resErr(ctx, err)
	}
	if existing != nil && existing.seg != existing.name {
		existing = nil
	}
	pc, obj, err := objectAt(ctx, res, dst)
	if err != nil {
		return h.resErr(ctx, err)
	}
	if (existing != nil || obj != nil) && strings.EqualFold(strings.TrimSpace(r.Header.Get("Overwrite")), "F") {
		return &davError{status: http.StatusPreconditionFailed, msg: "the destination exists and Overwrite is F"}
	}
	if obj != nil {
		h.marks.mark(obj.ref, time.Now())
	}
	err = res.InTx(ctx, func(tx resource.Service) error {
		if existing != nil {
			if err := h.removeCollection(ctx, tx, existing); err != nil {
				return err
			}
		}
		if obj != nil {
			if err := removeObject(ctx, tx, pc, obj); err != nil {
				return err
			}
		}
		if r.Method == "MOVE" {
			return renameCollection(ctx, tx, src, dst)
		}
		return copyCollection(ctx, tx, src, dst, deep)
	})
	if err != nil {
		var de *davError
		if errors.As(err, &de) {
			return de
		}
		return h.resErr(ctx, err)
	}
	if existing != nil || obj != nil {
		w.WriteHeader(http.StatusNoContent)
	} else {
		w.WriteHeader(http.StatusCreated)
	}
	return nil
}
