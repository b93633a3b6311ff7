package actions

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// registerIdentity adds signup, signin and become_an_administrator.
func (e *Executor) registerIdentity() {
	e.register(schema.TableUser, "signup", e.signup)
	e.register(schema.TableUser, "signin", e.signin)
	e.register(schema.TableWorld, "become_an_administrator", e.becomeAdmin)
}

// signup creates a user; DefaultGroups put it in "users" (contract §6.7).
func (e *Executor) signup(ctx context.Context, req Request) ([]Response, error) {
	if v, err := e.o.Config.Get(ctx, resource.ConfigBackend, resource.KeySignupEnabled); err == nil && v == "false" {
		return nil, Fail(http.StatusForbidden, "sign-up is closed")
	}
	a := req.Attributes
	email := strings.ToLower(strings.TrimSpace(str(a["email"])))
	in := resource.Input{Attributes: map[string]any{
		"name": strings.TrimSpace(str(a["name"])), "email": email, "password": str(a["password"]), "confirmed": false,
	}}
	sys := auth.WithPrincipal(ctx, auth.System())
	// DefaultGroups join the new user to "users" in the same transaction.
	// Like Daptin, sign-up makes no personal group: its name would carry the
	// e-mail address to everyone who can list usergroups.
	_, err := e.res().Create(sys, schema.TableUser, in)
	if err != nil {
		if errors.Is(err, resource.ErrConflict) {
			return nil, Fail(http.StatusConflict, "an account with this email already exists")
		}
		return nil, err
	}
	return []Response{
		Notify("success", "Success", "Sign-up successful. Redirecting to sign in"),
		Redirect("/auth/signin", "self", 2000),
	}, nil
}

// signin checks the password and hands out a JWT (contract §6.7, §7.1).
// Failed attempts are limited per account and per client address.
func (e *Executor) signin(ctx context.Context, req Request) ([]Response, error) {
	email := strings.ToLower(strings.TrimSpace(str(req.Attributes["email"])))
	// Each attempt is reserved before the password is compared, so parallel
	// guesses cannot all pass a check made before any of them failed.
	var keys []auth.Reservation
	if e.o.AccountLimiter != nil {
		keys = append(keys, auth.Reservation{Limiter: e.o.AccountLimiter, Key: "email:" + email})
	}
	if e.o.AddressLimiter != nil {
		keys = append(keys, auth.Reservation{Limiter: e.o.AddressLimiter, Key: "ip:" + clientIP(ctx)})
	}
	if ok, wait := auth.ReserveAll(ctx, keys); !ok {
		return nil, Fail(http.StatusTooManyRequests, "too many failed sign-in attempts; retry in %d s", int(wait.Seconds())+1)
	}
	p, err := e.res().Authenticate(ctx, email, str(req.Attributes["password"]))
	if err != nil {
		wrong := errors.Is(err, resource.ErrUnauthenticated)
		for _, k := range keys {
			if wrong {
				k.Limiter.Fail(k.Key)
			} else {
				k.Limiter.Cancel(k.Key) // a cancelled request or a database error is not a wrong password
			}
		}
		if !wrong {
			return nil, err
		}
		return nil, Fail(http.StatusUnauthorized, "Invalid username or password")
	}
	for _, k := range keys {
		k.Limiter.Cancel(k.Key)
	}
	if e.o.AccountLimiter != nil {
		e.o.AccountLimiter.Reset("email:" + email)
	}
	tok, _, err := e.o.Issuer.Issue(p.Email, p.Name, p.UserRef, p.AuthVersion)
	if err != nil {
		return nil, err
	}
	return []Response{
		{ResponseType: "client.store.set", Attributes: map[string]any{"key": "token", "value": tok}},
		{ResponseType: "client.cookie.set", Attributes: map[string]any{"key": "token", "value": tok + "; SameSite=Strict"}},
		{ResponseType: "client.notify", Attributes: map[string]any{"type": "success", "title": "Success", "message": "Logged in"}},
		{ResponseType: "client.redirect", Attributes: map[string]any{"location": "/", "window": "self", "delay": 2000}},
	}, nil
}

// becomeAdmin locks the instance down with the caller as administrator.
func (e *Executor) becomeAdmin(ctx context.Context, _ Request) ([]Response, error) {
	if err := e.res().BecomeAdministrator(ctx); err != nil {
		return nil, err
	}
	return []Response{
		{ResponseType: "client.redirect", Attributes: map[string]any{"delay": 7000, "location": "/", "window": "self"}},
		{ResponseType: "Restart", Attributes: nil},
	}, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
