package actions

import (
	"context"
	"net/http"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// registerSessions adds the token performers jwt.token and
// session.user.switch. Contract §6.7 lists no built-in actions for them
// (Daptin's generate_jwt_token and switch_session_user are not part of it),
// so they are reachable only from EXECUTE outcomes of schema actions.
func (o *otpActions) registerSessions() {
	o.e.registerPerformer("jwt.token", o.jwtToken)
	o.e.registerPerformer("session.user.switch", o.switchUser)
}

// jwtToken issues a token for the caller, as signin would, and answers
// client.store.set {key: token}.
func (o *otpActions) jwtToken(ctx context.Context, _ Request) ([]Response, error) {
	p := auth.PrincipalFrom(ctx)
	if p.UserRef == "" || p.Email == "" {
		return nil, Fail(http.StatusUnauthorized, "sign in first")
	}
	tok, _, err := o.e.o.Issuer.Issue(p.Email, p.Name, p.UserRef, p.AuthVersion)
	if err != nil {
		return nil, err
	}
	return []Response{tokenStoreSet(tok)}, nil
}

// switchUser lets an administrator obtain a token for another user, named
// by attribute user_reference_id; it answers client.store.set {key: token}.
func (o *otpActions) switchUser(ctx context.Context, req Request) ([]Response, error) {
	if !auth.PrincipalFrom(ctx).IsAdmin() {
		return nil, Fail(http.StatusForbidden, "forbidden")
	}
	ref := str(req.Attributes["user_reference_id"])
	if ref == "" {
		return nil, Fail(http.StatusBadRequest, "user_reference_id is required")
	}
	res := o.resOf(req)
	u, err := res.Get(asSystem(ctx), schema.TableUser, ref, resource.Query{})
	if err != nil {
		return nil, err
	}
	p, err := res.PrincipalByEmail(ctx, str(u.Attrs["email"]))
	if err != nil {
		return nil, err
	}
	tok, _, err := o.e.o.Issuer.Issue(p.Email, p.Name, p.UserRef, p.AuthVersion)
	if err != nil {
		return nil, err
	}
	return []Response{tokenStoreSet(tok)}, nil
}

func tokenStoreSet(tok string) Response {
	return Response{ResponseType: "client.store.set", Attributes: map[string]any{"key": "token", "value": tok}}
}
