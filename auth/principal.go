package auth

import (
	"context"
	"slices"
)

// Principal is the caller of a request: a guest, a signed-in user, or the
// system itself. It travels in the request context (WithPrincipal,
// PrincipalFrom) so every layer sees the same caller.
type Principal struct {
	UserID      int64  // user_account.id; 0 for a guest
	UserRef     string // user_account.reference_id (UUID)
	Email, Name string
	Groups      []Group // usergroups the user belongs to
	Admin       bool    // member of the "administrators" group
	System      bool    // background job acting with administrator rights
	Scopes      []string
	AuthVersion int64 // user_account.auth_version at authentication time
}

// Group is a usergroup the principal belongs to.
type Group struct {
	ID   int64
	Ref  string // usergroup.reference_id (UUID)
	Name string
}

// AdministratorsGroup is the name of the usergroup whose members are administrators.
const AdministratorsGroup = "administrators"

// Guest returns the anonymous principal used when a request carries no valid token.
func Guest() Principal { return Principal{} }

// System returns the principal of background jobs (outbox, scheduler). It
// passes every permission check, like an administrator, but is not a user.
func System() Principal { return Principal{Name: "system", System: true} }

// IsGuest reports whether p is anonymous: no user and not the system.
func (p Principal) IsGuest() bool { return p.UserID == 0 && !p.System }

// IsAdmin reports whether p bypasses permission checks: an administrator or the system.
func (p Principal) IsAdmin() bool { return p.Admin || p.System }

// GroupIDs returns the ids of p's groups, in the order of p.Groups.
func (p Principal) GroupIDs() []int64 {
	ids := make([]int64, len(p.Groups))
	for i, g := range p.Groups {
		ids[i] = g.ID
	}
	return ids
}

// InGroup reports whether p is a member of the group with the given id.
func (p Principal) InGroup(id int64) bool {
	for _, g := range p.Groups {
		if g.ID == id {
			return true
		}
	}
	return false
}

// HasScope reports whether p carries the given scope.
func (p Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

type ctxKey struct{}

// WithPrincipal returns a copy of ctx that carries p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx, or Guest when there is none.
func PrincipalFrom(ctx context.Context) Principal {
	if p, ok := ctx.Value(ctxKey{}).(Principal); ok {
		return p
	}
	return Guest()
}
