package dav

import (
	"context"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Sharing: a collection linked to a usergroup (its join row carries the
// group's permission bits) is shared with the group's members. Objects are
// rows of their own, so each object carries the same group links as its
// collection: copied when the object is written, and copied to every
// existing object when the collection is linked to a group.

// joinTable is the usergroup join table of a table.
func joinTable(table string) string { return table + "_" + table + "_id_has_usergroup_usergroup_id" }

// groupLinks returns usergroup reference → permission of the collection,
// without the administrators group (every system row has that link).
func groupLinks(ctx context.Context, res resource.Service, collRef string) (map[string]any, error) {
	rows, err := listAll(ctx, res, joinTable(tableCollection), resource.Query{
		Conditions: []resource.Condition{cond("collection_id", "is", collRef)}})
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, r := range rows {
		g := str(r.Attrs["usergroup_id"])
		if g == "" {
			continue
		}
		admin, err := isAdminGroup(ctx, res, g)
		if err != nil {
			return nil, err
		}
		if !admin {
			out[g] = r.Attrs["permission"]
		}
	}
	return out, nil
}

// isAdminGroup reads the group's name with system rights: a user may not
// be allowed to read the administrators group, but must know to skip it.
func isAdminGroup(ctx context.Context, res resource.Service, ref string) (bool, error) {
	r, err := res.Get(auth.WithPrincipal(ctx, auth.System()), "usergroup", ref, resource.Query{Fields: []string{"name"}})
	if err != nil {
		return false, err
	}
	return str(r.Attrs["name"]) == auth.AdministratorsGroup, nil
}

// shareObject gives the object the collection's group links.
func shareObject(ctx context.Context, tx resource.Service, table, objRef string, links map[string]any) error {
	if len(links) == 0 {
		return nil
	}
	jt := joinTable(table)
	existing, err := listAll(ctx, tx, jt, resource.Query{Conditions: []resource.Condition{cond(table+"_id", "is", objRef)}})
	if err != nil {
		return err
	}
	have := map[string]string{}
	for _, r := range existing {
		have[str(r.Attrs["usergroup_id"])] = r.RefID
	}
	for g, perm := range links {
		if id, ok := have[g]; ok {
			if _, err := tx.Update(ctx, jt, id, resource.Input{Attributes: map[string]any{"permission": perm}}); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.Create(ctx, jt, resource.Input{Attributes: map[string]any{table + "_id": objRef, "usergroup_id": g, "permission": perm}}); err != nil {
			return err
		}
	}
	return nil
}

// OnChange drops cached sync states when a DAV table changes, and reacts
// to a collection being linked to a usergroup (or its
// link's permission changing) by sharing every object of the collection
// the same way. It runs in its own goroutine with system rights.
func (h *Handler) OnChange(c resource.Change) {
	if davTable(c.Table) {
		h.states.invalidate()
	}
	h.reextract(c)
	h.tombstoneForeign(c)
	if c.Table != joinTable(tableCollection) || c.Op == resource.OpDelete || c.Row == nil {
		return
	}
	ref := str(c.Row["collection_id"])
	if ref == "" {
		return
	}
	go func() {
		h.follow.Lock()
		defer h.follow.Unlock()
		ctx := auth.WithPrincipal(context.Background(), auth.System())
		if err := h.shareCollection(ctx, ref); err != nil {
			h.d.Log.WarnContext(ctx, "sharing collection objects failed", "collection", ref, "err", err)
		}
	}()
}

func (h *Handler) shareCollection(ctx context.Context, ref string) error {
	res := h.d.Res()
	r, err := res.Get(ctx, tableCollection, ref, resource.Query{})
	if err != nil {
		return err
	}
	c := collFromRow(r, "")
	links, err := groupLinks(ctx, res, ref)
	if err != nil || len(links) == 0 {
		return err
	}
	os, err := objects(ctx, res, &c)
	if err != nil {
		return err
	}
	return res.InTx(ctx, func(tx resource.Service) error {
		for _, o := range os {
			if err := shareObject(ctx, tx, c.table(), o.ref, links); err != nil {
				return err
			}
		}
		return nil
	})
}
