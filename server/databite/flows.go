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
func (a *api) startFlow(w http.ResponseWriter, r *http.Request) {
	in, err := a.body(r)
	if err == nil {
		err = user(r)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	integ, _ := in["integrationId"].(string)
	p, ok := a.d.Engine.Providers.Get(integ)
	if !ok {
		a.fail(w, r, errStatus(http.StatusNotFound, "Integration not found"))
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	f := &flow{ID: hex.EncodeToString(b[:]), IntegrationID: p.Name, Status: "pending", Step: "credentials",
		Fields: credentialFields(p), ExpiresAt: a.d.Now().Add(flowTTL), owner: owner(r)}
	if oc, _ := in["oauthConnectId"].(string); oc != "" {
		_, loc, err := a.d.Engine.OAuth.Begin(r.Context(), oc)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		f.Step, f.Fields, f.AuthorizationURL, f.oauthConnect = "oauth", []string{"code", "state"}, loc, oc
	}
	a.flows.put(f)
	writeJSON(w, http.StatusCreated, f)
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

// stepFlow takes {"config": {...}} on the credentials step, creates the
// connection and completes the session.
func (a *api) stepFlow(w http.ResponseWriter, r *http.Request) {
	in, err := a.body(r)
	if err == nil {
		err = user(r)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f, ok := a.flows.get(chi.URLParam(r, "sessionId"), owner(r))
	if !ok {
		a.fail(w, r, errStatus(http.StatusNotFound, "Flow session not found"))
		return
	}
	if f.Status != "pending" {
		a.fail(w, r, errStatus(http.StatusConflict, "Flow session is already completed"))
		return
	}
	cfg, _ := in["config"].(map[string]any)
	if f.Step == "oauth" {
		code, _ := in["code"].(string)
		state, _ := in["state"].(string)
		res, err := a.d.Engine.OAuth.Complete(r.Context(), f.oauthConnect, code, state)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		cfg = map[string]any{"oauth_token_id": res.TokenRef}
	}
	for _, field := range f.Fields {
		if f.Step == "oauth" {
			break
		}
		if s, _ := cfg[field].(string); s == "" {
			a.fail(w, r, errStatus(http.StatusBadRequest, "config."+field+" is required"))
			return
		}
	}
	c, err := a.createConnection(r, f.IntegrationID, cfg)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	done := *f
	done.Status, done.Step, done.ConnectionID = "completed", "done", c.ID
	a.flows.put(&done)
	writeJSON(w, http.StatusOK, done)
}

func (a *api) getFlow(w http.ResponseWriter, r *http.Request) {
	if err := user(r); err != nil {
		a.fail(w, r, err)
		return
	}
	f, ok := a.flows.get(chi.URLParam(r, "sessionId"), owner(r))
	if !ok {
		a.fail(w, r, errStatus(http.StatusNotFound, "Flow session not found"))
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (a *api) deleteFlow(w http.ResponseWriter, r *http.Request) {
	if err := user(r); err != nil {
		a.fail(w, r, err)
		return
	}
	id := chi.URLParam(r, "sessionId")
	if _, ok := a.flows.get(id, owner(r)); !ok {
		a.fail(w, r, errStatus(http.StatusNotFound, "Flow session not found"))
		return
	}
	a.flows.drop(id)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "sessionId": id})
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

func (a *api) listJobs(w http.ResponseWriter, r *http.Request) {
	if err := user(r); err != nil {
		a.fail(w, r, err)
		return
	}
	conn := chi.URLParam(r, "connectionId")
	if conn != "" {
		if _, err := a.d.Engine.Connection(r.Context(), conn); err != nil {
			a.fail(w, r, notFoundAs(err, "Connection not found"))
			return
		}
	}
	out := []jobView{}
	for _, j := range a.d.Engine.Scheduler.Jobs() {
		if j.JobType != integrations.JobTypeSync {
			continue
		}
		c, _ := j.Attrs["connection_id"].(string)
		if conn != "" && c != conn {
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
	writeJSON(w, http.StatusOK, out)
}

// executeSync runs a sync now: {"table": "..."} names the table the
// records go to (as the caller, in one transaction).
func (a *api) executeSync(w http.ResponseWriter, r *http.Request) {
	in, err := a.body(r)
	if err == nil {
		err = user(r)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	table, _ := in["table"].(string)
	if table == "" {
		a.fail(w, r, errStatus(http.StatusBadRequest, "table is required"))
		return
	}
	input, _ := in["input"].(map[string]any)
	n, err := a.d.Engine.Sync(r.Context(), chi.URLParam(r, "connectionId"), chi.URLParam(r, "syncName"), table, input)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "records": n, "table": table})
}
