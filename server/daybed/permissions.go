package daybed

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/apiary/apiary/auth"
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
// their system. prefix; any other name must be the credentials id of a
// known identity (the creator, the caller, or a user who got a token).
func (h *handler) principalName(q *req, m *meta, p string) (string, error) {
	switch p {
	case "Everyone", principalEveryone:
		return principalEveryone, nil
	case "Authenticated", principalAuthenticated:
		return principalAuthenticated, nil
	}
	if p != "" && (p == m.OwnerCreds || p == q.credID) {
		return p, nil
	}
	if _, ok, err := h.identity(q.ctx, q.res, p); err != nil || ok {
		return p, err
	}
	return "", badRequest("body", p, fmt.Sprintf("%q is not a known principal: use Everyone, Authenticated or a credentials id", p))
}

// replacePermissions turns a PUT body into a permission map.
func (h *handler) replacePermissions(q *req, m *meta, in map[string][]string) (map[string][]string, error) {
	out := map[string][]string{}
	for p, perms := range in {
		name, err := h.principalName(q, m, p)
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
		name, err := h.principalName(q, m, p)
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
	return h.modelPart(q, "read_permissions", func(m *meta) any { return m.Permissions })
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
	if err := h.storeModel(q, name, def, m, false); err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, perms)
	return nil
}

// storeModel stores the model m with its permission groups and applies its
// permissions to the table (created: the table is new).
func (h *handler) storeModel(q *req, name string, def definition, m *meta, created bool) error {
	if err := h.ensureGroups(q, m); err != nil {
		return err
	}
	if err := h.writeModel(q.ctx, name, def, m); err != nil {
		return err
	}
	return h.applyPermissions(q.ctx, q.res, name, m, created)
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
