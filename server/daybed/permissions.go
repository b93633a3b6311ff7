package daybed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Daybed's system principals.
const (
	principalEveryone      = "system.Everyone"
	principalAuthenticated = "system.Authenticated"
)

// permissionNames lists Daybed's model permissions.
func permissionNames() []string {
	return []string{"create_record", "delete_all_records", "delete_model", "delete_own_records", "read_all_records",
		"read_definition", "read_own_records", "read_permissions", "update_all_records", "update_definition",
		"update_own_records", "update_permissions"}
}

// allowed reports whether the caller holds perm on a model: through
// system.Everyone, system.Authenticated (any signed-in caller) or its own
// credentials id. Administrators hold every permission.
func (h *handler) allowed(q *req, m *meta, perm string) bool {
	if q.p.IsAdmin() || slices.Contains(m.Permissions[principalEveryone], perm) {
		return true
	}
	if q.p.IsGuest() {
		return false
	}
	return slices.Contains(m.Permissions[principalAuthenticated], perm) || (q.credID != "" && slices.Contains(m.Permissions[q.credID], perm))
}

// principalName normalises a principal: Everyone and Authenticated get
// their system. prefix; a credentials id must be the model creator's or
// the caller's own (Apiary can map only those onto permission bits).
func principalName(q *req, m *meta, p string) (string, error) {
	switch p {
	case "Everyone", principalEveryone:
		return principalEveryone, nil
	case "Authenticated", principalAuthenticated:
		return principalAuthenticated, nil
	}
	if p != "" && (p == m.OwnerCreds || p == q.credID) && m.OwnerCreds != "" {
		return p, nil
	}
	return "", badRequest("body", p, fmt.Sprintf("%q is not a known principal: use Everyone, Authenticated or the model creator's credentials id", p))
}

// replacePermissions turns a PUT body into a permission map.
func (h *handler) replacePermissions(q *req, m *meta, in map[string][]string) (map[string][]string, error) {
	out := map[string][]string{}
	for p, perms := range in {
		name, err := principalName(q, m, p)
		if err != nil {
			return nil, err
		}
		set := map[string]bool{}
		for _, perm := range perms {
			switch {
			case perm == "ALL":
				for _, n := range permissionNames() {
					set[n] = true
				}
			case slices.Contains(permissionNames(), perm):
				set[perm] = true
			default:
				return nil, badRequest("body", p, fmt.Sprintf("%q is not a known permission", perm))
			}
		}
		out[name] = sortedKeys(set)
	}
	return out, nil
}

// patchPermissions applies "+perm" / "-perm" changes to a permission map.
func (h *handler) patchPermissionMap(q *req, m *meta, in map[string][]string) (map[string][]string, error) {
	out := map[string][]string{}
	for p, perms := range m.Permissions {
		out[p] = slices.Clone(perms)
	}
	for p, changes := range in {
		name, err := principalName(q, m, p)
		if err != nil {
			return nil, err
		}
		set := map[string]bool{}
		for _, n := range out[name] {
			set[n] = true
		}
		for _, ch := range changes {
			add := !strings.HasPrefix(ch, "-")
			perm := strings.TrimLeft(ch, "+-")
			names := []string{perm}
			if perm == "ALL" {
				names = permissionNames()
			} else if !slices.Contains(permissionNames(), perm) {
				return nil, badRequest("body", p, fmt.Sprintf("%q is not a known permission", perm))
			}
			for _, n := range names {
				set[n] = add
			}
		}
		out[name] = sortedKeys(set)
		if len(out[name]) == 0 {
			delete(out, name)
		}
	}
	return out, nil
}

func sortedKeys(set map[string]bool) []string {
	out := []string{}
	for k, on := range set {
		if on {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// getPermissions answers GET /v1/models/{model}/permissions.
func (h *handler) getPermissions(q *req) error {
	_, m, _, err := h.model(q)
	if err != nil {
		return err
	}
	if !h.allowed(q, m, "read_permissions") {
		return denied(q)
	}
	writeJSON(q.w, http.StatusOK, m.Permissions)
	return nil
}

// putPermissions answers PUT /v1/models/{model}/permissions (replace).
func (h *handler) putPermissions(q *req) error { return h.changePermissions(q, false) }

// patchPermissions answers PATCH /v1/models/{model}/permissions.
func (h *handler) patchPermissions(q *req) error { return h.changePermissions(q, true) }

func (h *handler) changePermissions(q *req, patch bool) error {
	h.modelMu.Lock()
	defer h.modelMu.Unlock()
	name, m, def, err := h.model(q)
	if err != nil {
		return err
	}
	if !h.allowed(q, m, "update_permissions") {
		return denied(q)
	}
	var in map[string][]string
	if err := json.Unmarshal(q.body, &in); err != nil {
		return badRequest("body", "", "the body must be an object of principal: [permission, ...]")
	}
	var perms map[string][]string
	if patch {
		perms, err = h.patchPermissionMap(q, m, in)
	} else {
		perms, err = h.replacePermissions(q, m, in)
	}
	if err != nil {
		return err
	}
	m.Permissions = perms
	if err := h.writeModel(q.ctx, name, def, m); err != nil {
		return err
	}
	if err := h.applyPermissions(q.ctx, q.res, name, m, false); err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, perms)
	return nil
}

// bits are the Apiary permissions a model's Daybed permissions map to.
type bits struct {
	gate      auth.Permission // the world row: guest (Everyone) and owner (creator) bits
	gateGroup auth.Permission // the world row's link to the users group (Authenticated)
	row       auth.Permission // records' permission: guest and owner bits
	groupRow  auth.Permission // records' link to the users group
}

// ops of one audience: peek, read, create, update, delete as bit offsets.
const (
	opPeek   = 0
	opRead   = 1
	opCreate = 2
	opUpdate = 3
	opDelete = 4
	shiftOwn = 7  // owner bits start at 128
	shiftGrp = 14 // group bits start at 16384
)

func has(perms []string, names ...string) bool {
	for _, n := range names {
		if slices.Contains(perms, n) {
			return true
		}
	}
	return false
}

// gateOps are the table-gate operations a principal's permissions need.
func gateOps(perms []string) auth.Permission {
	var b auth.Permission
	if len(perms) > 0 {
		b |= 1 << opPeek
	}
	if has(perms, "read_definition", "read_all_records", "read_own_records") {
		b |= 1 << opRead
	}
	if has(perms, "create_record") {
		b |= 1 << opCreate
	}
	if has(perms, "update_definition", "update_all_records", "update_own_records") {
		b |= 1 << opUpdate
	}
	if has(perms, "delete_model", "delete_all_records", "delete_own_records") {
		b |= 1 << opDelete
	}
	return b
}

// recordOps are the record operations granted by the *_<scope>_records
// permissions (scope "all" or "own").
func recordOps(perms []string, scope string) auth.Permission {
	var b auth.Permission
	if has(perms, "read_"+scope+"_records") {
		b |= 1<<opPeek | 1<<opRead
	}
	if has(perms, "update_"+scope+"_records") {
		b |= 1 << opUpdate
	}
	if has(perms, "delete_"+scope+"_records") {
		b |= 1 << opDelete
	}
	return b
}

// derive maps Daybed permissions onto Apiary bits: Everyone onto guest
// bits, Authenticated onto the users group, the creator onto the owner of
// the table gate; *_own_records of anyone (and the creator's
// *_all_records) onto the owner bits of records. A zero permission is
// stored as AuthenticatedExecute so the schema marks it explicit.
func derive(m *meta) bits {
	every, authd, owner := m.Permissions[principalEveryone], m.Permissions[principalAuthenticated], m.Permissions[m.OwnerCreds]
	var b bits
	b.gate = gateOps(every) | gateOps(owner)<<shiftOwn
	b.gateGroup = gateOps(authd) << shiftGrp
	b.row = recordOps(every, "all") |
		(recordOps(every, "own")|recordOps(authd, "own")|recordOps(owner, "own")|recordOps(owner, "all"))<<shiftOwn
	b.groupRow = recordOps(authd, "all") << shiftGrp
	if b.gate == 0 {
		b.gate = auth.AuthenticatedExecute
	}
	if b.row == 0 {
		b.row = auth.AuthenticatedExecute
	}
	return b
}

// applyPermissions brings the world row and the existing records in line
// with the model's permissions (the schema file carries the gate and the
// records' default already): the creator owns the world row, the users
// group link carries the Authenticated bits, every record gets the row
// bits and its users group link.
func (h *handler) applyPermissions(ctx context.Context, res resource.Service, name string, m *meta, created bool) error {
	sys := auth.WithPrincipal(ctx, auth.System())
	b := derive(m)
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
		users, err := usersGroup(sys, tx)
		if err != nil {
			return err
		}
		if err := setGroupLink(sys, tx, schema.TableWorld, world, users, b.gateGroup); err != nil {
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
				if err := setGroupLink(sys, tx, name, r.RefID, users, b.groupRow); err != nil {
					return err
				}
			}
			if len(rows.Rows) < resource.MaxPageSize {
				return nil
			}
		}
	})
}

// usersGroup returns the reference id of the users group.
func usersGroup(sys context.Context, res resource.Service) (string, error) {
	page, err := res.List(sys, schema.TableUsergroup, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: schema.GroupUsers}}})
	if err != nil || len(page.Rows) == 0 {
		return "", fmt.Errorf("the %s group: %v", schema.GroupUsers, err)
	}
	return page.Rows[0].RefID, nil
}

// setGroupLink links a row to a usergroup with the given group bits, or
// unlinks it when perm is zero.
func setGroupLink(sys context.Context, res resource.Service, table, ref, group string, perm auth.Permission) error {
	t, ok := res.Schema().Table(table)
	if !ok {
		return fmt.Errorf("no table %s", table)
	}
	gl, ok := t.GroupLink()
	if !ok {
		return nil
	}
	page, err := res.Related(sys, table, ref, schema.ColUsergroup, resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		return err
	}
	for _, r := range page.Rows {
		if r.Attrs["relation_reference_id"] != group {
			continue
		}
		if perm == 0 {
			return res.Delete(sys, gl.JoinTable, r.RefID)
		}
		_, err := res.Update(sys, gl.JoinTable, r.RefID, resource.Input{Attributes: map[string]any{schema.ColPermission: int64(perm)}})
		return err
	}
	if perm == 0 {
		return nil
	}
	if err := res.AddLinks(sys, table, ref, schema.ColUsergroup, []resource.Ref{{Type: schema.TableUsergroup, ID: group}}); err != nil {
		return err
	}
	return setGroupLink(sys, res, table, ref, group, perm)
}
