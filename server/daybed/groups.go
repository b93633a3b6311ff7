package daybed

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// personalPrefix starts the name of the usergroup that stands for one
// credentials id (its only member is that identity's user).
const personalPrefix = "daybed-"

// personalGroup is the usergroup name of a credentials id.
func personalGroup(credID string) string { return personalPrefix + credID[:min(24, len(credID))] }

// groupBits are a usergroup's group bits on the world row and on records.
type groupBits struct{ gate, row auth.Permission }

// bits are the Apiary permissions a model's Daybed permissions map to.
type bits struct {
	gate   auth.Permission      // the world row: guest (Everyone) and owner (creator) bits
	row    auth.Permission      // records: guest (Everyone) and owner (*_own_records) bits
	groups map[string]groupBits // by usergroup name: users (Authenticated) and personal groups
}

// derive maps Daybed permissions onto Apiary bits: Everyone onto guest
// bits, Authenticated onto the users group, a credentials id onto its
// personal group, the creator also onto the owner of the table gate;
// *_own_records of anyone onto the owner bits of records. A zero
// permission is stored as AuthenticatedExecute so the schema marks it
// explicit.
func derive(m *meta) bits {
	every, authd := m.Permissions[principalEveryone], m.Permissions[principalAuthenticated]
	b := bits{groups: map[string]groupBits{}}
	b.gate = gateOps(every) | gateOps(m.Permissions[m.OwnerCreds])<<shiftOwn
	own := recordOps(every, "own") | recordOps(authd, "own")
	b.groups[schema.GroupUsers] = groupBits{gateOps(authd) << shiftGrp, recordOps(authd, "all") << shiftGrp}
	for p, perms := range m.Permissions {
		if p == principalEveryone || p == principalAuthenticated {
			continue
		}
		own |= recordOps(perms, "own")
		b.groups[personalGroup(p)] = groupBits{gateOps(perms) << shiftGrp, recordOps(perms, "all") << shiftGrp}
	}
	b.row = recordOps(every, "all") | own<<shiftOwn
	if b.gate == 0 {
		b.gate = auth.AuthenticatedExecute
	}
	if b.row == 0 {
		b.row = auth.AuthenticatedExecute
	}
	return b
}

// defaultGroups are the schema DefaultGroups of a model's records.
func (b bits) defaultGroups() schema.GroupRefs {
	var out schema.GroupRefs
	for name, g := range b.groups {
		if g.row != 0 {
			out = append(out, schema.GroupRef{Name: name, Permission: int64(g.row)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// identity returns the user reference id of a credentials id.
func (h *handler) identity(ctx context.Context, res resource.Service, credID string) (string, bool, error) {
	sys := auth.WithPrincipal(ctx, auth.System())
	page, err := res.List(sys, schema.TableUser, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: colDaybedID, Operator: "is", Value: credID}}})
	if err != nil || len(page.Rows) == 0 {
		return "", false, err
	}
	return page.Rows[0].RefID, true, nil
}

// ensureGroups creates the personal group of every credentials id the
// permissions name, with its user as the only member.
func (h *handler) ensureGroups(q *req, m *meta) error {
	sys := auth.WithPrincipal(q.ctx, auth.System())
	for p := range m.Permissions {
		if p == principalEveryone || p == principalAuthenticated {
			continue
		}
		refs, err := groupRefs(sys, q.res, []string{personalGroup(p)})
		if err != nil {
			return err
		}
		if len(refs) > 0 {
			continue
		}
		user := ""
		switch {
		case p == m.OwnerCreds:
			user = m.Owner
		case p == q.credID:
			user = q.p.UserRef
		default:
			if user, _, err = h.identity(q.ctx, q.res, p); err != nil {
				return err
			}
		}
		if user == "" {
			return badRequest("body", p, fmt.Sprintf("%q is not a known principal", p))
		}
		err = q.res.InTx(sys, func(tx resource.Service) error {
			g, err := tx.Create(sys, schema.TableUsergroup, resource.Input{Attributes: map[string]any{"name": personalGroup(p)}})
			if err != nil {
				return err
			}
			_, err = tx.Create(sys, schema.TableMembership, resource.Input{Attributes: map[string]any{
				"user_account_id": user, schema.ColUsergroup: g.RefID}})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// groupRefs maps usergroup names to reference ids (missing ones are left out).
func groupRefs(sys context.Context, res resource.Service, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		page, err := res.List(sys, schema.TableUsergroup, resource.Query{PageSize: 1,
			Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: n}}})
		if err != nil {
			return nil, err
		}
		if len(page.Rows) > 0 {
			out[n] = page.Rows[0].RefID
		}
	}
	return out, nil
}

// managedGroup reports whether Daybed decides a group's links: the users
// group and personal groups.
func managedGroup(name string) bool {
	return name == schema.GroupUsers || strings.HasPrefix(name, personalPrefix)
}

// applyPermissions brings the world row and the existing records in line
// with the model's permissions (the schema file carries the records'
// default already): the gate bits and, on creation, the creator as owner
// of the world row; the group links of the world row and of every record.
func (h *handler) applyPermissions(ctx context.Context, res resource.Service, name string, m *meta, created bool) error {
	sys := auth.WithPrincipal(ctx, auth.System())
	b := derive(m)
	names := make([]string, 0, len(b.groups))
	for n := range b.groups {
		names = append(names, n)
	}
	refs, err := groupRefs(sys, res, names)
	if err != nil {
		return err
	}
	gate, row := map[string]auth.Permission{}, map[string]auth.Permission{}
	for n, g := range b.groups {
		gate[refs[n]], row[refs[n]] = g.gate, g.row
	}
	return res.InTx(sys, func(tx resource.Service) error {
		page, err := tx.List(sys, schema.TableWorld, resource.Query{PageSize: 1,
			Conditions: []resource.Condition{{Column: "table_name", Operator: "is", Value: name}}})
		if err != nil || len(page.Rows) == 0 {
			return fmt.Errorf("world row of model %s: %v", name, err)
		}
		world := page.Rows[0].RefID
		// A reload keeps an existing world row's permission: set it here.
		attrs := map[string]any{schema.ColPermission: int64(b.gate)}
		if created && m.Owner != "" {
			attrs[schema.ColOwner] = m.Owner
		}
		if _, err := tx.Update(sys, schema.TableWorld, world, resource.Input{Attributes: attrs}); err != nil {
			return err
		}
		if err := syncLinks(sys, tx, schema.TableWorld, world, gate); err != nil {
			return err
		}
		for n := 1; ; n++ {
			rows, err := tx.List(sys, name, resource.Query{PageNumber: n, PageSize: resource.MaxPageSize})
			if err != nil {
				return err
			}
			for _, r := range rows.Rows {
				if _, err := tx.Update(sys, name, r.RefID, resource.Input{Attributes: map[string]any{schema.ColPermission: int64(b.row)}}); err != nil {
					return err
				}
				if err := syncLinks(sys, tx, name, r.RefID, row); err != nil {
					return err
				}
			}
			if len(rows.Rows) < resource.MaxPageSize {
				return nil
			}
		}
	})
}

// syncLinks makes a row's links to Daybed-managed groups carry want (by
// group reference id): links are updated, added, or removed at zero.
func syncLinks(sys context.Context, tx resource.Service, table, ref string, want map[string]auth.Permission) error {
	t, ok := tx.Schema().Table(table)
	if !ok {
		return fmt.Errorf("no table %s", table)
	}
	gl, ok := t.GroupLink()
	if !ok {
		return nil
	}
	linked := func() (map[string]resource.Row, error) {
		page, err := tx.Related(sys, table, ref, schema.ColUsergroup, resource.Query{PageSize: resource.MaxPageSize})
		if err != nil {
			return nil, err
		}
		out := map[string]resource.Row{}
		for _, r := range page.Rows {
			name, _ := r.Attrs["name"].(string)
			g, _ := r.Attrs["relation_reference_id"].(string)
			if managedGroup(name) {
				out[g] = r
			}
		}
		return out, nil
	}
	have, err := linked()
	if err != nil {
		return err
	}
	var add []resource.Ref
	for g, p := range want {
		if _, ok := have[g]; !ok && p != 0 && g != "" {
			add = append(add, resource.Ref{Type: schema.TableUsergroup, ID: g})
		}
	}
	if len(add) > 0 {
		if err := tx.AddLinks(sys, table, ref, schema.ColUsergroup, add); err != nil {
			return err
		}
		if have, err = linked(); err != nil {
			return err
		}
	}
	for g, link := range have {
		p := want[g]
		switch {
		case p == 0:
			err = tx.Delete(sys, gl.JoinTable, link.RefID)
		case link.Attrs[schema.ColPermission] != int64(p):
			_, err = tx.Update(sys, gl.JoinTable, link.RefID, resource.Input{Attributes: map[string]any{schema.ColPermission: int64(p)}})
		}
		if err != nil {
			return err
		}
	}
	return nil
}
