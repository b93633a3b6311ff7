package resource

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// Self-service account changes (docs/security.md): a signed-in user whose
// permissions do not let them update their own user_account row may still
// change its name and its password, the password only together with the
// current one (current_password). Any other change to the row, the e-mail
// address included, stays with whoever the permissions allow. A changed
// password bumps auth_version, so older tokens stop working.

// ColCurrentPassword is the input attribute that proves the caller knows
// the password they are changing. It is never stored.
const ColCurrentPassword = "current_password"

// selfServiceColumn reports what a user may always change on their own row.
func selfServiceColumn(name string) bool { return name == "name" || name == "password" }

// isSelf reports whether the caller is a plain signed-in user updating
// their own user_account row.
func isSelf(ctx context.Context, t *schema.Table, refID string) bool {
	p := auth.PrincipalFrom(ctx)
	return t.TableName == schema.TableUser && !p.IsGuest() && !p.IsAdmin() && p.UserRef != "" && p.UserRef == refID
}

// selfServiceInput checks a self-service update of row old: only name and
// password may change (other attributes may be sent with their current
// value), and no relationship.
func selfServiceInput(old Row, in Input) error {
	if len(in.Relationships) > 0 {
		return selfServiceRefused("relationships")
	}
	for k, v := range in.Attributes {
		if selfServiceColumn(k) || k == ColCurrentPassword {
			continue
		}
		if cur, ok := old.Attrs[k]; ok && fmt.Sprint(cur) == fmt.Sprint(v) {
			continue // sent back unchanged
		}
		return selfServiceRefused(k)
	}
	return nil
}

func selfServiceRefused(what string) error {
	return &Error{Kind: ErrForbidden, Title: TitleRowGate,
		Detail: "you may change only the name and password of your own account, not " + what}
}

// checkCurrentPassword takes current_password out of in and, when the
// update sets a password (always, for a self-service one) or sends a
// current password at all, checks it against the row's stored hash.
func (s *svc) checkCurrentPassword(ctx context.Context, t *schema.Table, old Row, in *Input, self bool) error {
	if t.TableName != schema.TableUser {
		return nil
	}
	cur, sent := in.Attributes[ColCurrentPassword]
	if sent {
		attrs := make(map[string]any, len(in.Attributes))
		for k, v := range in.Attributes {
			if k != ColCurrentPassword {
				attrs[k] = v
			}
		}
		in.Attributes = attrs
	}
	newPW, _ := in.Attributes["password"].(string)
	if !sent && !(self && newPW != "") {
		return nil
	}
	curPW, _ := cur.(string)
	if curPW == "" {
		return invalidAttr(ColCurrentPassword, "send your current password to change it")
	}
	var hash sql.NullString
	q := "SELECT " + s.d.Quote("password") + " FROM " + s.d.Quote(t.TableName) + " WHERE " + s.d.Quote(schema.ColID) + " = ?"
	err := s.writer().QueryRowxContext(ctx, s.d.Rebind(q), old.ID).Scan(&hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s.d.MapError(err)
	}
	if !auth.CheckPasswordOrDummy(hash.String, hash.Valid && hash.String != "", curPW) {
		return &Error{Kind: ErrForbidden, Title: TitleRowGate, Detail: "the current password is wrong", Pointer: "/data/attributes/" + ColCurrentPassword}
	}
	return nil
}
