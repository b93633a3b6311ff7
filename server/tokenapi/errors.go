package tokenapi

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"
)

// OAuth 2.0 error codes (RFC 6749 §5.2) used by /token.
const (
	codeInvalidRequest     = "invalid_request"
	codeInvalidClient      = "invalid_client"
	codeInvalidScope       = "invalid_scope"
	codeUnauthorizedClient = "unauthorized_client"
	codeUnsupportedGrant   = "unsupported_grant_type"
	codeServerError        = "server_error"
)

// tokenError is a refusal shown to the client as
// {"error": Code, "error_description": Description} with Status.
type tokenError struct {
	Status      int
	Code        string
	Description string
}

func (e *tokenError) Error() string { return e.Code + ": " + e.Description }

// errInvalidClient is the one answer for an unknown, disabled or wrongly
// authenticated client.
var errInvalidClient = &tokenError{Status: http.StatusUnauthorized, Code: codeInvalidClient,
	Description: "unknown client or wrong client secret"}

func invalidRequest(desc string) error {
	return &tokenError{Status: http.StatusBadRequest, Code: codeInvalidRequest, Description: desc}
}

func invalidScope(desc string) error {
	return &tokenError{Status: http.StatusBadRequest, Code: codeInvalidScope, Description: desc}
}

// errorBody is the JSON of a refusal.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeError answers err: a tokenError as itself, anything else as a
// logged 500 server_error that shows only the request id.
func (d Deps) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var te *tokenError
	if errors.As(err, &te) {
		if te.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		}
		writeJSON(w, te.Status, errorBody{Error: te.Code, Description: te.Description})
		return
	}
	id := middleware.GetReqID(r.Context())
	d.Log.ErrorContext(r.Context(), "token request failed", "err", err, "request_id", id)
	desc := ""
	if id != "" {
		desc = "request id " + id
	}
	writeJSON(w, http.StatusInternalServerError, errorBody{Error: codeServerError, Description: desc})
}
