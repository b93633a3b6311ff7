package dexie

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/resource"
)

// Error codes of Dexie-dialect error bodies.
const (
	codeBadRequest   = "bad_request"
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codeNotFound     = "not_found"
	codeConflict     = "conflict"
	codeServer       = "server_error"
)

// apiError is a refusal shown as {"error": Code, "message": Message}.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func badRequest(msg string) error { return &apiError{http.StatusBadRequest, codeBadRequest, msg} }
func forbidden(msg string) error  { return &apiError{http.StatusForbidden, codeForbidden, msg} }
func notFound(msg string) error   { return &apiError{http.StatusNotFound, codeNotFound, msg} }

// errorBody is the JSON of a refusal.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// writeError answers err in the Dexie style: resource errors by kind, a
// 500 (logged, with only the request id shown) for anything else.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = classify(err)
	}
	if ae == nil {
		id := middleware.GetReqID(r.Context())
		log.ErrorContext(r.Context(), "dexie request failed", "err", err, "request_id", id)
		ae = &apiError{http.StatusInternalServerError, codeServer, "internal error; request id " + id}
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dexie"`)
	}
	writeJSON(w, ae.Status, errorBody{Error: ae.Code, Message: ae.Message})
}

// classify maps a resource error kind onto a Dexie error, or nil.
func classify(err error) *apiError {
	msg := err.Error()
	switch {
	case errors.Is(err, resource.ErrNotFound):
		return &apiError{http.StatusNotFound, codeNotFound, msg}
	case errors.Is(err, resource.ErrForbidden):
		return &apiError{http.StatusForbidden, codeForbidden, "permission denied: " + msg}
	case errors.Is(err, resource.ErrUnauthenticated):
		return &apiError{http.StatusUnauthorized, codeUnauthorized, msg}
	case errors.Is(err, resource.ErrConflict):
		return &apiError{http.StatusConflict, codeConflict, msg}
	case errors.Is(err, resource.ErrBadRequest), errors.Is(err, resource.ErrValidation):
		return &apiError{http.StatusBadRequest, codeBadRequest, msg}
	}
	return nil
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		body, status = []byte(`{"error":"server_error","message":"cannot encode the answer"}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
