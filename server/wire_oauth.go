package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/integrations/oauth"
)

// registerOAuth adds oauth_login_begin, oauth.login.response, get_token
// and GET /oauth/response (contract core.md §6).
func (s *Server) registerOAuth(r chi.Router) {
	c := s.integ().engine.OAuth
	s.exec.Register(oauth.ConnectTable, "oauth_login_begin", func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		state, loc, err := c.Begin(ctx, req.Subject.RefID)
		if err != nil {
			return nil, oauthFail(err)
		}
		return []actions.Response{
			{ResponseType: "client.store.set", Attributes: map[string]any{"key": "secret", "value": state}},
			actions.Redirect(loc, "self", 0),
		}, nil
	})
	complete := func(ctx context.Context, attrs map[string]any) ([]actions.Response, error) {
		str := func(k string) string { v, _ := attrs[k].(string); return v }
		res, err := c.Complete(ctx, str("authenticator"), str("code"), str("state"))
		if err != nil {
			return nil, oauthFail(err)
		}
		if !res.Login {
			return []actions.Response{actions.Notify("success", "Success", "Successfully connected"),
				actions.Redirect("/in/item/oauth_token", "self", 0)}, nil
		}
		tok, _, err := s.issuer.Issue(res.User.Email, res.User.Name, res.User.UserRef, res.User.AuthVersion)
		if err != nil {
			return nil, err
		}
		return []actions.Response{
			{ResponseType: "client.store.set", Attributes: map[string]any{"key": "token", "value": tok}},
			{ResponseType: "client.cookie.set", Attributes: map[string]any{"key": "token", "value": tok + "; SameSite=Strict"}},
			actions.Notify("success", "Success", "Logged in"),
			actions.Redirect("/", "self", 2000),
		}, nil
	}
	s.exec.Register(oauth.TokenTable, "oauth.login.response", func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		return complete(ctx, req.Attributes)
	})
	s.exec.Register(oauth.TokenTable, "get_token", func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		tok, err := c.AccessToken(ctx, req.Subject.RefID)
		if err != nil {
			return nil, oauthFail(err)
		}
		return []actions.Response{{ResponseType: "oauth_token", Attributes: map[string]any{"access_token": tok}}}, nil
	})
	r.Get("/oauth/response", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		out, err := complete(r.Context(), map[string]any{"code": q.Get("code"), "state": q.Get("state"), "authenticator": q.Get("authenticator")})
		status := http.StatusOK
		if err != nil {
			status, out = actions.StatusAndBody(err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	})
}

// oauthFail maps flow errors to action failures: a bad state is the
// client's fault (400), a provider failure a bad gateway (502).
func oauthFail(err error) error {
	switch {
	case errors.Is(err, oauth.ErrState):
		return actions.Fail(http.StatusBadRequest, "%v", err)
	case errors.Is(err, oauth.ErrProvider):
		return actions.Fail(http.StatusBadGateway, "%v", err)
	}
	return err
}
