package dexie

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// userProps are the properties POST /users accepts.
var userProps = []string{"userId", "type", "validUntil", "evalDaysLeft", "deactivated", "data"}

// postUsers answers POST /users: creates or updates the users of a JSON
// array in one transaction, refusing unknown properties.
func (d Deps) postUsers(c *call) error {
	if err := needScopes(c.p, ScopeGlobalWrite); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, d.MaxBody))
	if err != nil {
		return &apiError{http.StatusRequestEntityTooLarge, codeBadRequest, "the request body is too large"}
	}
	var items []map[string]any
	if err := json.Unmarshal(body, &items); err != nil {
		return badRequest("the body must be a JSON array of user objects")
	}
	changes := make([]map[string]any, len(items))
	for i, it := range items {
		if changes[i], err = userChange(it); err != nil {
			return wrapIndex(i, err)
		}
	}
	sys := systemCtx(c.ctx)
	var out []map[string]any
	err = c.res.InTx(sys, func(tx resource.Service) error {
		for i, it := range items {
			row, err := upsertUser(sys, tx, c.p, it, changes[i])
			if err != nil {
				return wrapIndex(i, err)
			}
			out = append(out, userJSON(row))
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// userChange validates one user object and returns the column values it sets.
func userChange(it map[string]any) (map[string]any, error) {
	if k := hasUnknown(it, userProps...); k != "" {
		return nil, badRequest(fmt.Sprintf("property %q is not supported (use %v)", k, userProps))
	}
	if id, _ := it["userId"].(string); id == "" {
		return nil, badRequest("userId is required")
	}
	ch := map[string]any{}
	for k, v := range it {
		switch k {
		case "type":
			t, _ := v.(string)
			if !contains(userTypes, t) {
				return nil, badRequest("type must be eval, prod or demo")
			}
			ch[colUserType] = t
		case "validUntil":
			t, err := optionalTime(k, v)
			if err != nil {
				return nil, err
			}
			ch[colValidUntil] = t
		case "evalDaysLeft":
			n, ok := v.(float64)
			if v != nil && (!ok || n < 0 || n != float64(int64(n))) {
				return nil, badRequest("evalDaysLeft must be a whole number of days")
			}
			ch[colEvalDaysLeft] = v
		case "deactivated":
			switch x := v.(type) {
			case bool:
				ch[colDeactivated] = nil
				if x {
					ch[colDeactivated] = time.Now().UTC().Format(time.RFC3339)
				}
			default:
				t, err := optionalTime(k, v)
				if err != nil {
					return nil, badRequest("deactivated must be true, false, null or a date")
				}
				ch[colDeactivated] = t
			}
		case "data":
			if _, ok := v.(map[string]any); v != nil && !ok {
				return nil, badRequest("data must be an object")
			}
			ch[colUserData] = nil
			if v != nil {
				b, _ := json.Marshal(v)
				ch[colUserData] = string(b)
			}
		}
	}
	return ch, nil
}

// optionalTime accepts null or an ISO 8601 date-time.
func optionalTime(name string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, badRequest(name + " must be an ISO 8601 date-time or null")
	}
	return t.UTC().Format(time.RFC3339), nil
}

// upsertUser creates or updates one user.
func upsertUser(sys context.Context, tx resource.Service, caller auth.Principal, it, ch map[string]any) (resource.Row, error) {
	id := it["userId"].(string)
	row, ok, err := findUser(sys, tx, id)
	if err != nil {
		return row, err
	}
	if ok {
		if _, deactivating := ch[colDeactivated]; deactivating {
			if err := notAdministrator(sys, tx, row, caller); err != nil {
				return row, err
			}
		}
		return tx.Update(sys, schema.TableUser, row.RefID, resource.Input{Attributes: ch})
	}
	if _, has := ch[colUserType]; !has {
		return row, badRequest("a new user needs userId and type")
	}
	pw, err := randomPassword()
	if err != nil {
		return row, err
	}
	name := id
	if data, _ := it["data"].(map[string]any); data != nil {
		if dn, _ := data["displayName"].(string); dn != "" {
			name = dn
		}
	}
	ch["email"], ch["name"], ch["password"] = id, name, pw
	return tx.Create(sys, schema.TableUser, resource.Input{Attributes: ch})
}

// deleteUser answers DELETE /users/{userId}: the caller itself, or anyone
// with GLOBAL_WRITE. The user's private objects are deleted; objects it
// shared stay, owned by nobody, and the realm's members get full control
// of them; public objects stay.
func (d Deps) deleteUser(c *call) error {
	id, err := pathParam(c.r, "user")
	if err != nil {
		return err
	}
	sys := systemCtx(c.ctx)
	row, ok, err := findUser(sys, c.res, id)
	if err != nil {
		return err
	}
	if !ok || row.RefID != c.p.UserRef {
		if err := needScopes(c.p, ScopeGlobalWrite); err != nil {
			return err
		}
	}
	if !ok {
		return notFound("no user " + id)
	}
	if err := notAdministrator(sys, c.res, row, c.p); err != nil {
		return err
	}
	err = c.res.InTx(sys, func(tx resource.Service) error {
		for _, t := range tx.Schema().Tables {
			if t.System || t.IsJoinTable || !t.HasOwner() {
				continue
			}
			if err := releaseRows(sys, tx, t, row.RefID); err != nil {
				return err
			}
		}
		return tx.Delete(sys, schema.TableUser, row.RefID)
	})
	if err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// releaseRows deletes the user's private rows of t and hands its shared
// rows to their realms' members.
func releaseRows(sys context.Context, tx resource.Service, t *schema.Table, userRef string) error {
	rs := newRealms(sys, tx)
	for n := 1; ; n++ {
		page, err := tx.List(sys, t.TableName, resource.Query{PageNumber: n, PageSize: resource.MaxPageSize})
		if err != nil {
			return err
		}
		for _, r := range page.Rows {
			if r.Attrs[schema.ColOwner] != userRef {
				continue
			}
			realm, err := rs.realmOf(t, r, userRef)
			if err != nil {
				return err
			}
			switch realm {
			case PublicRealm:
			case userRef:
				if err := tx.Delete(sys, t.TableName, r.RefID); err != nil {
					return err
				}
			default:
				if err := fullControl(sys, tx, t, r.RefID); err != nil {
					return err
				}
			}
		}
		if len(page.Rows) < resource.MaxPageSize {
			return nil
		}
	}
}

// fullControl gives every group a row is shared with all group bits.
func fullControl(sys context.Context, tx resource.Service, t *schema.Table, ref string) error {
	gl, ok := t.GroupLink()
	if !ok {
		return nil
	}
	links, err := tx.Related(sys, t.TableName, ref, schema.ColUsergroup, resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		return err
	}
	for _, l := range links.Rows {
		if _, err := tx.Update(sys, gl.JoinTable, l.RefID, resource.Input{Attributes: map[string]any{schema.ColPermission: int64(auth.GroupCRUD)}}); err != nil {
			return err
		}
	}
	return nil
}

// notAdministrator refuses to deactivate or delete an administrator for
// a caller that is not one (a service token's GLOBAL_WRITE does not reach
// the accounts that manage the instance).
func notAdministrator(sys context.Context, res resource.Service, user resource.Row, caller auth.Principal) error {
	if caller.IsAdmin() {
		return nil
	}
	email, _ := user.Attrs["email"].(string)
	p, err := res.PrincipalByEmail(sys, email)
	if err != nil {
		return nil // a deactivated user is no administrator who can act
	}
	if p.Admin {
		return forbidden("only an administrator may deactivate or delete an administrator")
	}
	return nil
}
