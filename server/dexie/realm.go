package dexie

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// upsert stores one posted object: an update when its key names an
// existing row, else a create; then places it in its realm.
func upsert(c *call, tx resource.Service, rs *realms, t *schema.Table, obj map[string]any) (map[string]any, error) {
	realm, err := wantedRealm(c, obj)
	if err != nil {
		return nil, err
	}
	k, hasKey, err := objectKey(t, obj)
	if err != nil {
		return nil, err
	}
	attrs := make(map[string]any, len(obj))
	for name, v := range obj {
		if name == propRealmID || name == propOwner || (name == propID && keyColumns(t) == nil) {
			continue
		}
		col, ok := columnOf(t, name)
		if !ok {
			col = name // the resource layer names the unknown attribute
		}
		if hiddenAttrs[col] {
			return nil, badRequest("property " + name + " is managed by the server")
		}
		attrs[col] = v
	}
	sys := systemCtx(c.ctx)
	var row resource.Row
	exists := false
	if hasKey {
		if row, exists, err = find(sys, tx, t, k); err != nil {
			return nil, err
		}
	}
	if exists {
		clearMissing(t, attrs)
		row, err = tx.Update(c.ctx, t.TableName, row.RefID, resource.Input{Attributes: attrs})
	} else {
		row, err = tx.Create(c.ctx, t.TableName, resource.Input{ID: k.ref, Attributes: attrs})
	}
	if err != nil {
		return nil, err
	}
	if err := place(c, tx, rs, t, row, realm); err != nil {
		return nil, err
	}
	if err := setOwner(c, tx, t, row, realm, obj[propOwner]); err != nil {
		return nil, err
	}
	row, err = tx.Get(sys, t.TableName, row.RefID, resource.Query{})
	if err != nil {
		return nil, err
	}
	return rs.object(t, row)
}

// wantedRealm reads realmId with the defaults of each mode: required on
// /all, the caller's private realm on /my, rlm-public (only) on /public.
func wantedRealm(c *call, obj map[string]any) (string, error) {
	v, present := obj[propRealmID]
	realm, isString := v.(string)
	if present && v != nil && (!isString || realm == "") {
		return "", badRequest("realmId must be a non-empty string")
	}
	switch c.mode {
	case modeAll:
		if realm == "" {
			return "", badRequest("every object posted to /all needs a realmId")
		}
	case modeMy:
		if realm == "" {
			realm = c.p.Email
		}
		// The public realm is written with GLOBAL_WRITE only (the seed's
		// /public), which /my never uses: refused even when the object is
		// already public, e.g. by its table's default permission.
		if realm == PublicRealm {
			return "", forbidden("/my cannot place objects in " + PublicRealm + "; use /public with GLOBAL_WRITE")
		}
	case modePublic:
		if realm == "" {
			realm = PublicRealm
		}
		if realm != PublicRealm {
			return "", badRequest("objects posted to /public belong to realm " + PublicRealm)
		}
	}
	return realm, nil
}

// place moves a row into realm (when it is not there already): the public
// realm sets the guest read bits; a usergroup realm links the group; a
// private realm makes its user the owner. The caller's right to do so was
// checked by its mode (and, on /my, by membership), so the bookkeeping
// itself runs with system rights.
func place(c *call, tx resource.Service, rs *realms, t *schema.Table, row resource.Row, realm string) error {
	owner, err := rs.ownerEmail(row)
	if err != nil {
		return err
	}
	cur, err := rs.realmOf(t, row, owner)
	if err != nil || strings.EqualFold(cur, realm) {
		return err
	}
	sys := systemCtx(c.ctx)
	perm := auth.Permission(permOf(row))
	if realm == PublicRealm { // not on /my: wantedRealm refused it
		if err := unshare(sys, tx, t, row); err != nil {
			return err
		}
		_, err := tx.Update(sys, t.TableName, row.RefID, resource.Input{Attributes: map[string]any{
			schema.ColPermission: int64(perm | auth.GuestPeek | auth.GuestRead)}})
		return err
	}
	if group, ok, err := findGroup(sys, tx, realm); err != nil || ok {
		if err != nil {
			return err
		}
		return share(c, sys, tx, t, row, group, perm)
	}
	user, ok, err := findUser(sys, tx, realm)
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("realmId " + realm + " names no realm: use rlm-public, a usergroup id or a user's e-mail")
	}
	if c.mode == modeMy && user.RefID != c.p.UserRef {
		return forbidden("/my cannot place objects in another user's private realm")
	}
	if err := unshare(sys, tx, t, row); err != nil {
		return err
	}
	_, err = tx.Update(sys, t.TableName, row.RefID, resource.Input{Attributes: map[string]any{
		schema.ColOwner: user.RefID, schema.ColPermission: int64(perm &^ auth.GuestRead)}})
	return err
}

// share links row to the realm's usergroup (its members get the join
// table's default group bits) and clears the guest read bit.
func share(c *call, sys context.Context, tx resource.Service, t *schema.Table, row resource.Row, group resource.Row, perm auth.Permission) error {
	if _, ok := t.GroupLink(); !ok {
		return badRequest("table " + t.TableName + " cannot be shared with a realm")
	}
	if c.mode == modeMy && !memberOf(c.p, group.RefID) {
		return forbidden("/my can place objects only in realms the user is a member of")
	}
	if err := unshare(sys, tx, t, row); err != nil {
		return err
	}
	if err := tx.AddLinks(sys, t.TableName, row.RefID, schema.ColUsergroup, []resource.Ref{{Type: schema.TableUsergroup, ID: group.RefID}}); err != nil {
		return err
	}
	if perm.Has(auth.GuestRead) {
		_, err := tx.Update(sys, t.TableName, row.RefID, resource.Input{Attributes: map[string]any{schema.ColPermission: int64(perm &^ auth.GuestRead)}})
		return err
	}
	return nil
}

// unshare removes every usergroup link of row.
func unshare(sys context.Context, tx resource.Service, t *schema.Table, row resource.Row) error {
	if _, ok := t.GroupLink(); !ok {
		return nil
	}
	refs, err := tx.Linkage(sys, t.TableName, row.RefID, schema.ColUsergroup)
	if err != nil || len(refs) == 0 {
		return err
	}
	return tx.RemoveLinks(sys, t.TableName, row.RefID, schema.ColUsergroup, refs)
}

func memberOf(p auth.Principal, groupRef string) bool {
	for _, g := range p.Groups {
		if strings.EqualFold(g.Ref, groupRef) {
			return true
		}
	}
	return p.IsAdmin()
}

// findGroup loads the usergroup whose reference id is realm.
func findGroup(sys context.Context, res resource.Service, realm string) (resource.Row, bool, error) {
	if _, err := uuid.Parse(realm); err != nil {
		return resource.Row{}, false, nil
	}
	row, err := res.Get(sys, schema.TableUsergroup, strings.ToLower(realm), resource.Query{})
	if errors.Is(err, resource.ErrNotFound) {
		return resource.Row{}, false, nil
	}
	return row, err == nil, err
}

// findUser loads a user by Dexie userId: e-mail or reference id.
func findUser(sys context.Context, res resource.Service, userID string) (resource.Row, bool, error) {
	if _, err := uuid.Parse(userID); err == nil {
		row, err := res.Get(sys, schema.TableUser, strings.ToLower(userID), resource.Query{})
		if errors.Is(err, resource.ErrNotFound) {
			return resource.Row{}, false, nil
		}
		return row, err == nil, err
	}
	page, err := res.List(sys, schema.TableUser, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "email", Operator: "is", Value: strings.ToLower(strings.TrimSpace(userID))}}})
	if err != nil || len(page.Rows) == 0 {
		return resource.Row{}, false, err
	}
	return page.Rows[0], true, nil
}

// setOwner applies a posted owner (a user's e-mail or reference id): on
// /my only the caller, and in a private realm only the realm's user.
func setOwner(c *call, tx resource.Service, t *schema.Table, row resource.Row, realm string, v any) error {
	if v == nil {
		return nil
	}
	id, ok := v.(string)
	if !ok || id == "" {
		return badRequest("owner must be a user's e-mail")
	}
	sys := systemCtx(c.ctx)
	user, found, err := findUser(sys, tx, id)
	if err != nil {
		return err
	}
	if !found {
		return badRequest("owner " + id + " names no user")
	}
	if c.mode == modeMy && user.RefID != c.p.UserRef {
		return forbidden("/my cannot give objects to another user")
	}
	if realm != PublicRealm {
		_, isGroup, err := findGroup(sys, tx, realm)
		if err != nil {
			return err
		}
		if !isGroup {
			if u, _, err := findUser(sys, tx, realm); err != nil || u.RefID != user.RefID {
				if err != nil {
					return err
				}
				return badRequest("the owner of an object in a private realm is the realm's user")
			}
		}
	}
	_, err = tx.Update(sys, t.TableName, row.RefID, resource.Input{Attributes: map[string]any{schema.ColOwner: user.RefID}})
	return err
}

// standardColumns are the columns every table has; an upsert never clears them.
var standardColumns = map[string]bool{schema.ColID: true, schema.ColVersion: true, schema.ColCreatedAt: true,
	schema.ColUpdatedAt: true, schema.ColReferenceID: true, schema.ColPermission: true, schema.ColOwner: true}

// clearMissing makes an upsert of an existing object a replacement: every
// nullable data column the object leaves out becomes null.
func clearMissing(t *schema.Table, attrs map[string]any) {
	for _, c := range t.Columns {
		if standardColumns[c.ColumnName] || c.IsForeignKey || c.ExcludeFromApi || !c.IsNullable {
			continue
		}
		if _, given := attrs[c.ColumnName]; !given {
			attrs[c.ColumnName] = nil
		}
	}
}
