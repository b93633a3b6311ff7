package resource

import (
	"context"
	"errors"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// Sidecar is the part of the resource layer a listener outside HTTP (the
// WebSocket hub, mail, DAV, FTP) depends on: a principal from credentials,
// row reads and writes under that principal's permissions, change events
// after commit, and the live schema. Service satisfies it; a listener takes
// a Sidecar so that its tests can fake exactly this much.
type Sidecar interface {
	// Authenticate checks an e-mail and password and returns the principal
	// (ErrUnauthorized on a mismatch).
	Authenticate(ctx context.Context, email, password string) (auth.Principal, error)
	// PrincipalByEmail loads a user and their groups; PrincipalFromClaims
	// builds on it for a verified JWT.
	PrincipalByEmail(ctx context.Context, email string) (auth.Principal, error)

	// List, Get, Create, Update and Delete read and write rows as the
	// principal in ctx (auth.WithPrincipal) may.
	List(ctx context.Context, table string, q Query) (Page, error)
	Get(ctx context.Context, table, refID string, q Query) (Row, error)
	Create(ctx context.Context, table string, in Input) (Row, error)
	Update(ctx context.Context, table, refID string, in Input) (Row, error)
	Delete(ctx context.Context, table, refID string) error
	// InTx runs fn in one transaction; its changes are published after commit.
	InTx(ctx context.Context, fn func(tx Service) error) error

	// Subscribe registers fn for every committed change; cancel removes it.
	// fn runs in the committing goroutine, in commit order per table, and
	// must not write through this layer itself (start a goroutine).
	Subscribe(fn func(Change)) (cancel func())
	// Schema is the live schema snapshot (it changes on reload).
	Schema() *schema.Schema
}

var (
	_ Sidecar = Service(nil)
	_ Sidecar = (*svc)(nil)
)

// ErrTokenRevoked is returned by PrincipalFromClaims for a token issued
// before the user's password last changed.
var ErrTokenRevoked = errors.New("the token was revoked (password changed); sign in again")

// ErrTokenUser is returned by PrincipalFromClaims when the token's user
// does not exist (any more).
var ErrTokenUser = errors.New("the token's user does not exist")

// PrincipalFromClaims is the principal a verified JWT (auth.Issuer.Verify)
// stands for: a service token acting for no user carries only its scopes;
// a user token is the user and their groups with the token's scopes, if
// its auth version is current. Every listener turns a JWT into a
// principal this way.
func PrincipalFromClaims(ctx context.Context, res Sidecar, c auth.Claims) (auth.Principal, error) {
	if c.ClientID != "" && c.Email == "" {
		return auth.Principal{Email: "service:" + c.ClientID, Name: c.Name, Scopes: c.Scopes}, nil
	}
	p, err := res.PrincipalByEmail(ctx, c.Email)
	if err != nil {
		return auth.Principal{}, ErrTokenUser
	}
	if c.AuthVersion != p.AuthVersion {
		return auth.Principal{}, ErrTokenRevoked
	}
	p.Scopes = c.Scopes
	return p, nil
}
