package databite

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/resource"
)

// connectorView is a kind of integration: an installed provider with its
// actions and auth kinds.
type connectorView struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Title     string   `json:"title"`
	AuthKinds []string `json:"authKinds"`
	Actions   []string `json:"actions"`
}

func viewConnector(p *connector.Provider) connectorView {
	v := connectorView{ID: p.Name, Name: p.Name, Title: p.Title, AuthKinds: p.AuthKinds(), Actions: []string{}}
	for _, o := range p.Ops {
		v.Actions = append(v.Actions, o.ID)
	}
	return v
}

func (a *api) listConnectors(*http.Request, map[string]any) (int, any, error) {
	out := []connectorView{}
	for _, p := range a.d.Engine.Providers.List() {
		out = append(out, viewConnector(p))
	}
	return http.StatusOK, out, nil
}

func (a *api) getConnector(r *http.Request, _ map[string]any) (int, any, error) {
	p, ok := a.d.Engine.Providers.Get(chi.URLParam(r, "id"))
	if !ok {
		return 0, nil, errStatus(http.StatusNotFound, "Connector not found")
	}
	return http.StatusOK, viewConnector(p), nil
}

// integrationView is a configured integration row, without its secrets.
type integrationView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ConnectorID string `json:"connectorId"`
	AuthType    string `json:"authenticationType"`
	Language    string `json:"specificationLanguage"`
	Enabled     bool   `json:"enabled"`
	Installed   bool   `json:"installed"`
	CreatedAt   any    `json:"createdAt"`
	UpdatedAt   any    `json:"updatedAt"`
}

func (a *api) viewIntegration(row resource.Row) integrationView {
	str := func(k string) string { s, _ := row.Attrs[k].(string); return s }
	_, installed := a.d.Engine.Providers.Get(str("name"))
	en := row.Attrs["enable"]
	return integrationView{ID: row.RefID, Name: str("name"), ConnectorID: str("name"), AuthType: str("authentication_type"),
		Language: str("specification_language"), Enabled: en == true || en == int64(1) || en == float64(1) || en == "1",
		Installed: installed, CreatedAt: row.Attrs["created_at"], UpdatedAt: row.Attrs["updated_at"]}
}

func (a *api) listIntegrations(r *http.Request, _ map[string]any) (int, any, error) {
	out := []integrationView{}
	err := a.each(r, connector.IntegrationTable, func(row resource.Row) { out = append(out, a.viewIntegration(row)) })
	return http.StatusOK, out, err
}

func (a *api) getIntegration(r *http.Request, _ map[string]any) (int, any, error) {
	row, err := a.d.Res().Get(r.Context(), connector.IntegrationTable, chi.URLParam(r, "id"), resource.Query{})
	if err != nil {
		return 0, nil, notFoundAs(err, "Integration not found")
	}
	return http.StatusOK, a.viewIntegration(row), nil
}

// notFoundAs gives a missing or malformed id the seed's message.
func notFoundAs(err error, msg string) error {
	if st, _ := statusOf(err); st == http.StatusNotFound || st == http.StatusBadRequest {
		return errStatus(http.StatusNotFound, msg)
	}
	return err
}

// each visits every row of table the caller may read.
func (a *api) each(r *http.Request, table string, fn func(resource.Row)) error {
	for page := 1; ; page++ {
		p, err := a.d.Res().List(r.Context(), table, resource.Query{PageNumber: page, PageSize: resource.MaxPageSize})
		if err != nil {
			return err
		}
		for _, row := range p.Rows {
			fn(row)
		}
		if len(p.Rows) < resource.MaxPageSize {
			return nil
		}
	}
}

func (a *api) listConnections(r *http.Request, _ map[string]any) (int, any, error) {
	out := []integrations.Connection{}
	err := a.each(r, integrations.CredentialTable, func(row resource.Row) {
		if c, ok := integrations.ConnectionOf(row); ok {
			out = append(out, c)
		}
	})
	return http.StatusOK, out, err
}

// connection returns the caller's connection named by the id route
// parameter, with the seed's message when there is none.
func (a *api) connection(r *http.Request, param string) (integrations.Connection, error) {
	c, err := a.d.Engine.Connection(r.Context(), chi.URLParam(r, param))
	return c, notFoundAs(err, "Connection not found")
}

func (a *api) getConnection(r *http.Request, _ map[string]any) (int, any, error) {
	c, err := a.connection(r, "id")
	return http.StatusOK, c, err
}

// addConnection stores a connection: {"integrationId", "config": {...}}.
func (a *api) addConnection(r *http.Request, in map[string]any) (int, any, error) {
	integ, _ := in["integrationId"].(string)
	cfg, _ := in["config"].(map[string]any)
	c, err := a.createConnection(r, integ, cfg)
	return http.StatusCreated, c, err
}

// createConnection checks the provider and writes the credential row as
// the caller; the config is kept encrypted in the row.
func (a *api) createConnection(r *http.Request, integ string, cfg map[string]any) (integrations.Connection, error) {
	if integ == "" {
		return integrations.Connection{}, errStatus(http.StatusBadRequest, "integrationId is required")
	}
	if cfg == nil {
		return integrations.Connection{}, errStatus(http.StatusBadRequest, "config must be an object")
	}
	p, ok := a.d.Engine.Providers.Get(integ)
	if !ok {
		return integrations.Connection{}, errStatus(http.StatusNotFound, "Integration not found")
	}
	content, err := json.Marshal(map[string]any{"integrationId": p.Name, "config": cfg})
	if err != nil {
		return integrations.Connection{}, errStatus(http.StatusBadRequest, "config cannot be stored")
	}
	row, err := a.d.Res().Create(r.Context(), integrations.CredentialTable, resource.Input{Attributes: map[string]any{
		"name": integrations.ConnectionPrefix + p.Name, "content": string(content)}})
	if err != nil {
		return integrations.Connection{}, err
	}
	c, _ := integrations.ConnectionOf(row)
	return c, nil
}

func (a *api) deleteConnection(r *http.Request, _ map[string]any) (int, any, error) {
	c, err := a.connection(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := a.d.Res().Delete(r.Context(), integrations.CredentialTable, c.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"success": true, "id": c.ID}, nil
}

// actionView is one operation of a connector.
type actionView struct {
	Name    string   `json:"name"`
	Method  string   `json:"method"`
	Path    string   `json:"path"`
	Summary string   `json:"summary,omitempty"`
	Inputs  []string `json:"inputs"`
}

func (a *api) listActions(r *http.Request, _ map[string]any) (int, any, error) {
	p, ok := a.d.Engine.Providers.Get(chi.URLParam(r, "connectorId"))
	if !ok {
		return 0, nil, errStatus(http.StatusNotFound, "Connector not found")
	}
	out := []actionView{}
	for _, o := range p.Ops {
		out = append(out, actionView{Name: o.ID, Method: o.Method, Path: o.Path, Summary: o.Summary, Inputs: o.InFields})
	}
	return http.StatusOK, out, nil
}

func (a *api) executeAction(r *http.Request, in map[string]any) (int, any, error) {
	res, err := a.d.Engine.Execute(r.Context(), chi.URLParam(r, "connectionId"), chi.URLParam(r, "actionName"), in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"success": res.Status < 300, "status": res.Status, "data": res.Body}, nil
}
