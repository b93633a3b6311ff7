package databite

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/integrations/oauth"
	"github.com/apiary/apiary/resource"
)

// Limits are requests per minute per client address; 0 means unlimited.
type Limits struct {
	Read  int // listings and reads (seed: 30)
	Write int // creates, deletes and executions (seed: 5)
}

// DefaultLimits are the seed's.
var DefaultLimits = Limits{Read: 30, Write: 5}

// Deps are what the routes need.
type Deps struct {
	Engine  *integrations.Engine
	Res     func() resource.Service
	Log     *slog.Logger
	Limits  Limits
	Now     func() time.Time // nil means time.Now
	MaxBody int64
}

type api struct {
	d            Deps
	read, write  *limiter
	flows        *flowStore
	flowsStarted *limiter
}

// Mount registers the Databite routes on r, the /api sub-router. Static
// segments win over the JSON:API /{type} routes, so only tables named
// exactly connectors, integrations, connections, flows, sync or actions
// would be shadowed (Daptin's own tables are singular).
func Mount(r chi.Router, d Deps) {
	a := newAPI(d)
	// rd and wr are the read and write limits; get routes take no body,
	// send routes a JSON object. Every route needs a signed-in caller.
	rd := func(h handler) http.HandlerFunc { return a.read.wrap(a.route(false, h)) }
	rdBody := func(h handler) http.HandlerFunc { return a.read.wrap(a.route(true, h)) }
	wr := func(h handler) http.HandlerFunc { return a.write.wrap(a.route(false, h)) }
	wrBody := func(h handler) http.HandlerFunc { return a.write.wrap(a.route(true, h)) }
	r.Get("/connectors", rd(a.listConnectors))
	r.Get("/connectors/{id}", rd(a.getConnector))
	r.Get("/integrations", rd(a.listIntegrations))
	r.Get("/integrations/{id}", rd(a.getIntegration))
	r.Get("/connections", rd(a.listConnections))
	r.Get("/connections/{id}", rd(a.getConnection))
	r.Post("/connections", wrBody(a.addConnection))
	r.Delete("/connections/{id}", wr(a.deleteConnection))
	r.Post("/flows/start", wrBody(a.startFlow))
	r.Post("/flows/{sessionId}/step", rdBody(a.stepFlow))
	r.Get("/flows/{sessionId}", rd(a.getFlow))
	r.Delete("/flows/{sessionId}", wr(a.deleteFlow))
	r.Get("/sync/jobs", rd(a.listJobs))
	r.Get("/sync/jobs/{connectionId}", rd(a.listJobs))
	r.Post("/sync/execute/{connectionId}/{syncName}", wrBody(a.executeSync))
	r.Get("/actions/{connectorId}", rd(a.listActions))
	r.Post("/actions/execute/{connectionId}/{actionName}", wrBody(a.executeAction))
}

// handler is one Databite route once its caller is known to be a user:
// in is the JSON body (nil for routes without one); it returns the status
// and body of its answer, or an error.
type handler func(r *http.Request, in map[string]any) (int, any, error)

// route answers h's result as JSON, or {"error"} for a bad body, a guest
// caller or h's error.
func (a *api) route(withBody bool, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		var err error
		if withBody {
			in, err = a.body(r)
		}
		if err == nil {
			err = user(r)
		}
		status, out := 0, any(nil)
		if err == nil {
			status, out, err = h(r, in)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, status, out)
	}
}

func newAPI(d Deps) *api {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxBody <= 0 {
		d.MaxBody = 1 << 20
	}
	return &api{d: d, read: newLimiter(d.Limits.Read, time.Minute, d.Now), write: newLimiter(d.Limits.Write, time.Minute, d.Now),
		flows: newFlowStore(d.Now)}
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers {"error": ...} with the status err calls for; unexpected
// errors are logged and answered without detail.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 && status != http.StatusBadGateway && status != http.StatusGatewayTimeout {
		a.d.Log.ErrorContext(r.Context(), "databite request failed", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errStatus(status int, msg string) error { return &httpError{status, msg} }

// StatusOf maps an engine error to an HTTP status and a message that is
// safe to show (unexpected errors become "internal error").
func StatusOf(err error) (int, string) { return statusOf(err) }

func statusOf(err error) (int, string) {
	var he *httpError
	var re *resource.Error
	switch {
	case errors.As(err, &he):
		return he.status, he.msg
	case errors.Is(err, connector.ErrUpstream) && strings.Contains(err.Error(), "did not answer"):
		return http.StatusGatewayTimeout, err.Error()
	case errors.Is(err, oauth.ErrState):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, connector.ErrUpstream), errors.Is(err, integrations.ErrRecords), errors.Is(err, oauth.ErrProvider):
		return http.StatusBadGateway, err.Error()
	case errors.Is(err, integrations.ErrNotFound):
		return http.StatusNotFound, strings.TrimPrefix(err.Error(), "not found: ")
	case errors.Is(err, connector.ErrInput), errors.Is(err, connector.ErrBadSpec):
		return http.StatusBadRequest, err.Error()
	case errors.As(err, &re):
		msg := re.Title
		if re.Detail != "" && re.Kind != resource.ErrForbidden {
			msg += ": " + re.Detail
		}
		switch {
		case errors.Is(err, resource.ErrNotFound):
			return http.StatusNotFound, msg
		case errors.Is(err, resource.ErrForbidden):
			return http.StatusForbidden, msg
		case errors.Is(err, resource.ErrUnauthenticated):
			return http.StatusUnauthorized, msg
		case errors.Is(err, resource.ErrConflict):
			return http.StatusConflict, msg
		case errors.Is(err, resource.ErrBadRequest), errors.Is(err, resource.ErrValidation):
			return http.StatusBadRequest, msg
		}
	}
	return http.StatusInternalServerError, "internal error"
}

// user refuses guests: every Databite route but health needs a user.
func user(r *http.Request) error {
	if auth.PrincipalFrom(r.Context()).IsGuest() {
		return errStatus(http.StatusUnauthorized, "authentication required")
	}
	return nil
}

// body decodes a JSON object body (an empty body is an empty object).
func (a *api) body(r *http.Request) (map[string]any, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, a.d.MaxBody))
	if err != nil {
		return nil, errStatus(http.StatusRequestEntityTooLarge, "request body too large")
	}
	m := map[string]any{}
	if strings.TrimSpace(string(raw)) == "" {
		return m, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errStatus(http.StatusBadRequest, "request body is not a JSON object")
	}
	return m, nil
}
