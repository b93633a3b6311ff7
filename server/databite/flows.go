package databite

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/connector"
)

// flowTTL is how long a flow session lives without a step.
const flowTTL = 15 * time.Minute

// flow is one step-by-step session that ends in a connection.
type flow struct {
	ID            string   `json:"sessionId"`
	IntegrationID string   `json:"integrationId"`
	Status        string   `json:"status"` // pending, completed
	Step          string   `json:"step"`   // credentials, oauth, done
	Fields        []string `json:"fields"`
	// AuthorizationURL is where the user goes on the oauth step; the
	// provider sends code and state back, which the next step takes.
	AuthorizationURL string `json:"authorizationUrl,omitempty"`
	oauthConnect     string
	ConnectionID     string    `json:"connectionId,omitempty"`
	ExpiresAt        time.Time `json:"expiresAt"`
	owner            string
}

// flowStore keeps sessions in memory; they expire after flowTTL.
type flowStore struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*flow
}

func newFlowStore(now func() time.Time) *flowStore {
	return &flowStore{now: now, m: map[string]*flow{}}
}

// get returns a live session owned by the caller.
func (s *flowStore) get(id, owner string) (*flow, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, f := range s.m {
		if now.After(f.ExpiresAt) {
			delete(s.m, k)
		}
	}
	f, ok := s.m[id]
	if !ok || f.owner != owner {
		return nil, false
	}
	return f, true
}

func (s *flowStore) put(f *flow) {
	s.mu.Lock()
	s.m[f.ID] = f
	s.mu.Unlock()
}

func (s *flowStore) drop(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

func owner(r *http.Request) string { return auth.PrincipalFrom(r.Context()).UserRef }

// startFlow opens a session for {"integrationId"}: the next step asks for
// the credentials the provider's auth kinds need.
func (a *api) startFlow(r *http.Request, in map[string]any) (int, any, error) {
	integ, _ := in["integrationId"].(string)
	p, ok := a.d.Engine.Providers.Get(integ)
	if !ok {
		return 0, nil, errStatus(http.StatusNotFound, "Integration not found")
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	f := &flow{ID: hex.EncodeToString(b[:]), IntegrationID: p.Name, Status: "pending", Step: "credentials",
		Fields: credentialFields(p), ExpiresAt: a.d.Now().Add(flowTTL), owner: owner(r)}
	if oc, _ := in["oauthConnectId"].(string); oc != "" {
		_, loc, err := a.d.Engine.OAuth.Begin(r.Context(), oc)
		if err != nil {
			return 0, nil, err
		}
		f.Step, f.Fields, f.AuthorizationURL, f.oauthConnect = "oauth", []string{"code", "state"}, loc, oc
	}
	a.flows.put(f)
	return http.StatusCreated, f, nil
}

// credentialFields lists the form fields of the credentials step.
func credentialFields(p *connector.Provider) []string {
	for _, k := range p.AuthKinds() {
		if k == connector.AuthBasic {
			return []string{"username", "password"}
		}
		if k == connector.AuthAPIKey {
			return []string{"api_key"}
		}
	}
	return []string{"accessToken"}
}

// session returns the caller's live flow session of the route.
func (a *api) session(r *http.Request) (*flow, error) {
	f, ok := a.flows.get(chi.URLParam(r, "sessionId"), owner(r))
	if !ok {
		return nil, errStatus(http.StatusNotFound, "Flow session not found")
	}
	return f, nil
}

// stepFlow takes {"config": {...}} on the credentials step, or
// {"code", "state"} on the oauth step, creates the connection and
// completes the session.
func (a *api) stepFlow(r *http.Request, in map[string]any) (int, any, error) {
	f, err := a.session(r)
	if err != nil {
		return 0, nil, err
	}
	if f.Status != "pending" {
		return 0, nil, errStatus(http.StatusConflict, "Flow session is already completed")
	}
	cfg, err := a.stepConfig(r, f, in)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.createConnection(r, f.IntegrationID, cfg)
	if err != nil {
		return 0, nil, err
	}
	done := *f
	done.Status, done.Step, done.ConnectionID = "completed", "done", c.ID
	a.flows.put(&done)
	return http.StatusOK, done, nil
}

// stepConfig is the connection config a step yields: the OAuth token the
// code is exchanged for, or the form's fields, each required.
func (a *api) stepConfig(r *http.Request, f *flow, in map[string]any) (map[string]any, error) {
	if f.Step == "oauth" {
		code, _ := in["code"].(string)
		state, _ := in["state"].(string)
		res, err := a.d.Engine.OAuth.Complete(r.Context(), f.oauthConnect, code, state)
		if err != nil {
			return nil, err
		}
		return map[string]any{"oauth_token_id": res.TokenRef}, nil
	}
	cfg, _ := in["config"].(map[string]any)
	for _, field := range f.Fields {
		if s, _ := cfg[field].(string); s == "" {
			return nil, errStatus(http.StatusBadRequest, "config."+field+" is required")
		}
	}
	return cfg, nil
}

func (a *api) getFlow(r *http.Request, _ map[string]any) (int, any, error) {
	f, err := a.session(r)
	return http.StatusOK, f, err
}

func (a *api) deleteFlow(r *http.Request, _ map[string]any) (int, any, error) {
	f, err := a.session(r)
	if err != nil {
		return 0, nil, err
	}
	a.flows.drop(f.ID)
	return http.StatusOK, map[string]any{"success": true, "sessionId": f.ID}, nil
}

// jobView is a scheduled sync job (or any scheduled task).
type jobView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ConnectionID string `json:"connectionId,omitempty"`
	SyncName     string `json:"syncName"`
	Schedule     string `json:"schedule"`
	Active       bool   `json:"active"`
	JobType      string `json:"jobType"`
	NextRun      any    `json:"nextRun"`
	LastRun      any    `json:"lastRun"`
	LastError    string `json:"lastError,omitempty"`
	Runs         int    `json:"runs"`
}

func (a *api) listJobs(r *http.Request, _ map[string]any) (int, any, error) {
	conn := chi.URLParam(r, "connectionId")
	if conn != "" {
		if _, err := a.connection(r, "connectionId"); err != nil {
			return 0, nil, err
		}
	}
	out := []jobView{}
	for _, j := range a.d.Engine.Scheduler.Jobs() {
		c, _ := j.Attrs["connection_id"].(string)
		if j.JobType != integrations.JobTypeSync || (conn != "" && c != conn) {
			continue
		}
		v := jobView{ID: j.RefID, Name: j.Name, ConnectionID: c, SyncName: j.Action, Schedule: j.Schedule, Active: j.Active,
			JobType: j.JobType, LastError: j.Err, Runs: j.Runs}
		if !j.NextRun.IsZero() {
			v.NextRun = j.NextRun.UTC()
		}
		if !j.LastRun.IsZero() {
			v.LastRun = j.LastRun.UTC()
		}
		out = append(out, v)
	}
	return http.StatusOK, out, nil
}

// executeSync runs a sync now: {"table": "..."} names the table the
// records go to (as the caller, in one transaction).
func (a *api) executeSync(r *http.Request, in map[string]any) (int, any, error) {
	table, _ := in["table"].(string)
	if table == "" {
		return 0, nil, errStatus(http.StatusBadRequest, "table is required")
	}
	input, _ := in["input"].(map[string]any)
	n, err := a.d.Engine.Sync(r.Context(), chi.URLParam(r, "connectionId"), chi.URLParam(r, "syncName"), table, input)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"success": true, "records": n, "table": table}, nil
}
