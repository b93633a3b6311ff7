package databite

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/resource"
)

// MountIntegration registers Daptin's /integration/{provider}/... routes
// (contract sidecars.md §10.4). Reading a provider's document or
// operations needs read access to its integration row.
func MountIntegration(r chi.Router, d Deps) {
	a := newAPI(d)
	r.Get("/integration/{provider}/openapi.yaml", a.spec)
	r.Get("/integration/{provider}/operations", a.operations)
	r.Get("/integration/{provider}/operations/*", a.operation)
	r.Post("/integration/{provider}/*", a.call)
}

// provider returns an installed provider the caller may read.
func (a *api) provider(r *http.Request) (*connector.Provider, error) {
	name := chi.URLParam(r, "provider")
	p, ok := a.d.Engine.Providers.Get(name)
	if !ok {
		return nil, errStatus(http.StatusNotFound, "integration provider ["+name+"] is not installed or enabled")
	}
	if _, err := a.d.Res().Get(r.Context(), connector.IntegrationTable, p.RefID, resource.Query{}); err != nil {
		return nil, err
	}
	return p, nil
}

func (a *api) spec(w http.ResponseWriter, r *http.Request) {
	p, err := a.provider(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	y, err := p.SpecYAML()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(y)
}

func (a *api) operations(w http.ResponseWriter, r *http.Request) {
	p, err := a.provider(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p.Ops)
}

func (a *api) operation(w http.ResponseWriter, r *http.Request) {
	p, err := a.provider(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	op, ok := p.Operation(chi.URLParam(r, "*"))
	if !ok {
		a.fail(w, r, errStatus(http.StatusNotFound, "operation ["+chi.URLParam(r, "*")+"] not found"))
		return
	}
	writeJSON(w, http.StatusOK, op)
}

// call runs POST /integration/{provider}/{operation} with body
// {"input": {...}, "oauth_token_id": ..., "credential_id": ...}.
func (a *api) call(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Input        map[string]any `json:"input"`
		OAuthTokenID string         `json:"oauth_token_id"`
		CredentialID string         `json:"credential_id"`
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, a.d.MaxBody))
	if err != nil {
		a.fail(w, r, errStatus(http.StatusRequestEntityTooLarge, "request body too large"))
		return
	}
	if strings.TrimSpace(string(raw)) != "" && json.Unmarshal(raw, &in) != nil {
		a.fail(w, r, errStatus(http.StatusBadRequest, "request body is not valid JSON"))
		return
	}
	op := chi.URLParam(r, "*")
	if op == "" {
		a.fail(w, r, errStatus(http.StatusBadRequest, "operation missing"))
		return
	}
	if in.Input == nil {
		in.Input = map[string]any{}
	}
	res, err := a.d.Engine.Call(r.Context(), chi.URLParam(r, "provider"), op, in.Input,
		integrations.Secrets{OAuthTokenID: in.OAuthTokenID, CredentialID: in.CredentialID})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
