package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httpmw"
)

// actionMethods are the methods Daptin binds the action route to.
var actionMethods = []string{http.MethodPost, http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete}

// newExecutor builds the action executor; New calls it once, after the
// resource layer, the issuer and the sign-in limiters exist.
func (s *Server) newExecutor() *actions.Executor {
	return actions.New(actions.Options{Res: func() resource.Service { return s.res }, Issuer: s.issuer, Config: s.conf, Stores: s.files.stores,
		Log: s.log.With("component", "actions"), AccountLimiter: s.attempts, AddressLimiter: s.addrAttempts,
		Reload: s.Reload, SchemaDir: s.cfg.SchemaDir, Now: s.cfg.Clock, Mailer: s.mailSender()})
}

// actionHandler serves /action/{type}/{action} and /api/{type}/action/{action}
// with the executor New built.
func (s *Server) actionHandler() http.HandlerFunc {
	h := func(w http.ResponseWriter, r *http.Request) {
		attrs, err := actionAttributes(r, s.cfg.HTTP.MaxBodyBytes)
		var out []actions.Response
		if err == nil {
			ctx := actions.WithClientIP(r.Context(), httpmw.ClientIP(r))
			out, err = s.exec.Execute(ctx, chi.URLParam(r, "type"), chi.URLParam(r, "action"), attrs)
		}
		status := http.StatusOK
		if err != nil {
			status, out = actions.StatusAndBody(err)
			if status >= 500 {
				s.log.ErrorContext(r.Context(), "action failed", "type", chi.URLParam(r, "type"), "action", chi.URLParam(r, "action"), "err", err)
			}
		}
		if err == nil && writeRender(w, out) {
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		// Action answers carry tokens, codes, secrets and private exports:
		// no cache may keep them.
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	}
	return h
}

// actionAttributes collects attributes as contract core.md §6.2 says: the
// JSON body's "attributes" and other top-level keys, or a form body, then
// query parameters on top.
func actionAttributes(r *http.Request, limit int64) (map[string]any, error) {
	attrs := map[string]any{}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, actions.Fail(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", limit)
		}
		return nil, actions.Fail(http.StatusBadRequest, "cannot read request body")
	}
	if trimmed := strings.TrimSpace(string(body)); trimmed != "" {
		var doc map[string]any
		if strings.HasPrefix(trimmed, "{") {
			if err := json.Unmarshal(body, &doc); err != nil {
				return nil, actions.Fail(http.StatusBadRequest, "invalid JSON body: %v", err)
			}
			for k, v := range doc {
				if k != "attributes" {
					attrs[k] = v
				}
			}
			if inner, ok := doc["attributes"].(map[string]any); ok {
				for k, v := range inner {
					attrs[k] = v
				}
			}
		} else if form, err := url.ParseQuery(trimmed); err == nil {
			for k, vs := range form {
				attrs[k] = oneOrMany(vs)
			}
		}
	}
	for k, vs := range r.URL.Query() {
		attrs[k] = oneOrMany(vs)
	}
	return attrs, nil
}

func oneOrMany(vs []string) any {
	if len(vs) == 1 {
		return vs[0]
	}
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
