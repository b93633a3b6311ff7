package daybed

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// maxBody limits a request body when Deps.MaxBody is zero.
const maxBody = 8 << 20

// colDaybedID is the user_account column holding a user's credentials id.
const colDaybedID = "daybed_id"

// Deps is what the Daybed handlers need.
type Deps struct {
	// Res returns the live resource layer; it is called once per request.
	Res func() resource.Service
	// Secret keys the per-user tokens (Basic auth on /v1/tokens returns
	// the same token every time); it must stay the same across restarts.
	Secret []byte
	// SchemaDir is the folder of the schema files models are written to.
	SchemaDir string
	// Reload re-reads the schema folder and migrates the database.
	Reload func(ctx context.Context) error
	// SignupOpen reports whether anonymous POST /v1/tokens may create a
	// new identity.
	SignupOpen func(ctx context.Context) bool
	// AccountLimiter and AddressLimiter bound failed passwords on
	// /v1/tokens per account and per client address (the server passes its
	// sign-in limiters, so both ways in share one budget); nil means none.
	AccountLimiter, AddressLimiter *auth.AttemptLimiter
	// Now is the clock (Hawk timestamps); nil means time.Now.
	Now func() time.Time
	// Log receives internal errors; nil means slog.Default().
	Log *slog.Logger
	// MaxBody limits request bodies in bytes; 0 means 8 MiB.
	MaxBody int64
}

// handler holds the state shared by the routes of one server.
type handler struct {
	Deps
	nonces  nonceCache
	modelMu sync.Mutex // serialises model file writes and reloads
}

// Mount registers the Daybed routes under /v1 on r.
func Mount(r chi.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.MaxBody <= 0 {
		d.MaxBody = maxBody
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &handler{Deps: d}
	r.Route("/v1", func(r chi.Router) {
		r.Use(h.hawk)
		r.Get("/fields", h.wrap(h.fields))
		r.Post("/tokens", h.wrap(h.tokens))
		r.Get("/models", h.wrap(h.listModels))
		r.Post("/models", h.wrap(h.postModel))
		r.Route("/models/{model}", func(r chi.Router) {
			r.Put("/", h.wrap(h.putModel))
			r.Get("/", h.wrap(h.getModel))
			r.Delete("/", h.wrap(h.deleteModel))
			r.Get("/definition", h.wrap(h.getDefinition))
			r.Get("/permissions", h.wrap(h.getPermissions))
			r.Patch("/permissions", h.wrap(h.patchPermissions))
			r.Put("/permissions", h.wrap(h.putPermissions))
			r.Get("/records", h.wrap(h.listRecords))
			r.Post("/records", h.wrap(h.postRecord))
			r.Delete("/records", h.wrap(h.deleteRecords))
			r.Get("/records/{id}", h.wrap(h.getRecord))
			r.Put("/records/{id}", h.wrap(h.putRecord))
			r.Patch("/records/{id}", h.wrap(h.patchRecord))
			r.Delete("/records/{id}", h.wrap(h.deleteRecord))
		})
	})
}

// req is one request as a handler sees it.
type req struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	p      auth.Principal
	credID string // the caller's credentials id, "" for guests
	res    resource.Service
	body   []byte
}

func (h *handler) wrap(fn func(q *req) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxBody))
		if err != nil {
			h.writeError(w, r, badRequest("body", "", "the request body is too large"))
			return
		}
		q := &req{w: w, r: r, ctx: r.Context(), p: auth.PrincipalFrom(r.Context()), res: h.Res(), body: body}
		if !q.p.IsGuest() {
			q.credID = h.credentialsID(q.p)
		}
		if err := fn(q); err != nil {
			h.writeError(w, r, err)
		}
	}
}

// userToken is the token of a user: HMAC(secret, user reference id), so
// Basic auth gives the same token, and the same credentials, every time.
func (h *handler) userToken(userRef string) string {
	m := hmac.New(sha256.New, h.Secret)
	m.Write([]byte("daybed-token\x00" + userRef))
	return hex.EncodeToString(m.Sum(nil))
}

// credentialsID is the Daybed credentials id of a principal.
func (h *handler) credentialsID(p auth.Principal) string {
	c, err := deriveCredentials(h.userToken(p.UserRef))
	if err != nil {
		return ""
	}
	return c.ID
}

// hawk authenticates Authorization: Hawk requests; other requests pass
// through with the principal the server's middleware found.
func (h *handler) hawk(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(authz)), "hawk ") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxBody))
		if err != nil {
			h.writeError(w, r, badRequest("body", "", "the request body is too large"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p, err := h.hawkPrincipal(r, authz, body)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// hawkPrincipal verifies a Hawk request and returns its user.
func (h *handler) hawkPrincipal(r *http.Request, authz string, body []byte) (auth.Principal, error) {
	hh, err := parseHawk(authz)
	if err != nil {
		return auth.Principal{}, unauthorized(err.Error())
	}
	res := h.Res()
	sys := auth.WithPrincipal(r.Context(), auth.System())
	page, err := res.List(sys, schema.TableUser, resource.Query{PageSize: 1, Fields: []string{"email"},
		Conditions: []resource.Condition{{Column: colDaybedID, Operator: "is", Value: hh.ID}}})
	if err != nil {
		return auth.Principal{}, err
	}
	if len(page.Rows) == 0 {
		return auth.Principal{}, unauthorized("unknown Hawk credentials id")
	}
	creds, err := deriveCredentials(h.userToken(page.Rows[0].RefID))
	if err != nil || creds.ID != hh.ID {
		return auth.Principal{}, unauthorized("unknown Hawk credentials id")
	}
	if err := verifyHawk(hh, creds.Key, r, body, h.Now(), &h.nonces); err != nil {
		h.Log.InfoContext(r.Context(), "hawk request refused", "reason", err.Error(), "request_id", middleware.GetReqID(r.Context()))
		return auth.Principal{}, unauthorized(err.Error())
	}
	email, _ := page.Rows[0].Attrs["email"].(string)
	p, err := res.PrincipalByEmail(r.Context(), email)
	if err != nil {
		return auth.Principal{}, unauthorized("the credentials' user cannot sign in")
	}
	return p, nil
}

// apiError is a Daybed error answer.
type apiError struct {
	Status int
	Body   any
}

func (e *apiError) Error() string { b, _ := json.Marshal(e.Body); return string(b) }

// errorEntry is one cornice error.
type errorEntry struct {
	Location    string `json:"location"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// errorsBody is a cornice error body.
type errorsBody struct {
	Status string       `json:"status"`
	Errors []errorEntry `json:"errors"`
}

func badRequest(location, name, desc string) error {
	return &apiError{http.StatusBadRequest, errorsBody{"error", []errorEntry{{location, name, desc}}}}
}

func validationErrors(list []errorEntry) error {
	return &apiError{http.StatusBadRequest, errorsBody{"error", list}}
}

func notFound(name, desc string) error {
	return &apiError{http.StatusNotFound, errorsBody{"error", []errorEntry{{"path", name, desc}}}}
}

func unauthorized(msg string) error {
	return &apiError{http.StatusUnauthorized, map[string]string{"error": "401 Unauthorized", "msg": msg}}
}

// denied is 401 for guests and 403 for signed-in callers, as Daybed answers.
func denied(q *req) error {
	if q.p.IsGuest() {
		return unauthorized("You must be logged-in to access this page.")
	}
	return &apiError{http.StatusForbidden, map[string]string{"error": "403 Forbidden", "credentials_id": q.credID,
		"msg": "Access to this resource is Forbidden."}}
}

// writeError answers err in Daybed's style.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = classify(err)
	}
	if ae == nil {
		id := middleware.GetReqID(r.Context())
		h.Log.ErrorContext(r.Context(), "daybed request failed", "err", err, "request_id", id)
		ae = &apiError{http.StatusInternalServerError, errorsBody{"error", []errorEntry{{"server", "", "internal error; request id " + id}}}}
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Hawk")
	}
	writeJSON(w, ae.Status, ae.Body)
}

// classify maps resource errors onto Daybed errors, or nil.
func classify(err error) *apiError {
	var re *resource.Error
	name, desc := "", err.Error()
	if errors.As(err, &re) {
		name = strings.TrimPrefix(re.Pointer, "/data/attributes/")
	}
	switch {
	case errors.Is(err, resource.ErrNotFound):
		return &apiError{http.StatusNotFound, errorsBody{"error", []errorEntry{{"path", name, desc}}}}
	case errors.Is(err, resource.ErrForbidden):
		return &apiError{http.StatusForbidden, map[string]string{"error": "403 Forbidden", "msg": "Access to this resource is Forbidden."}}
	case errors.Is(err, resource.ErrUnauthenticated):
		return &apiError{http.StatusUnauthorized, map[string]string{"error": "401 Unauthorized", "msg": desc}}
	case errors.Is(err, resource.ErrConflict):
		return &apiError{http.StatusConflict, errorsBody{"error", []errorEntry{{"body", name, desc}}}}
	case errors.Is(err, resource.ErrBadRequest), errors.Is(err, resource.ErrValidation):
		return &apiError{http.StatusBadRequest, errorsBody{"error", []errorEntry{{"body", name, desc}}}}
	}
	return nil
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		body, status = []byte(`{"status":"error","errors":[]}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
