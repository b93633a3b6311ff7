package httperr

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/resource"
)

// ContentType is the media type of every error document.
const ContentType = "application/vnd.api+json"

// Error is an error made by a handler that already knows its HTTP status.
// Title, Detail, Pointer and Parameter are shown to the client as is.
type Error struct {
	Status    int    // HTTP status code
	Code      string // optional application error code, e.g. API2GO_INVALID_FIELD_QUERY_PARAM
	Title     string // short summary
	Detail    string // optional explanation
	Pointer   string // optional JSON pointer into the request body, e.g. /data/type
	Parameter string // optional query or path parameter at fault, e.g. page[size]
}

// Error returns the title, followed by the detail when there is one.
func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Title + ": " + e.Detail
	}
	return e.Title
}

// New returns an *Error with the given status, title and detail.
func New(status int, title, detail string) error {
	return &Error{Status: status, Title: title, Detail: detail}
}

// HandlerFunc is an HTTP handler that reports failure by returning an error
// instead of writing it. It must not write anything before returning a
// non-nil error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts h to an http.HandlerFunc that writes h's error with Write.
func Handle(log *slog.Logger, h HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			Write(w, r, log, err)
		}
	}
}

// errorObject is one entry of the errors array, in Daptin's key order.
type errorObject struct {
	Status string  `json:"status"`
	Code   string  `json:"code,omitempty"`
	Title  string  `json:"title"`
	Detail string  `json:"detail,omitempty"`
	Source *source `json:"source,omitempty"`
}

type source struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
}

type document struct {
	Errors []errorObject `json:"errors"`
}

// kinds maps the resource layer's error kinds to statuses, in test order.
var kinds = []struct {
	kind   error
	status int
}{
	{resource.ErrNotFound, http.StatusNotFound},
	{resource.ErrForbidden, http.StatusForbidden},
	{resource.ErrUnauthenticated, http.StatusUnauthorized},
	{resource.ErrConflict, http.StatusConflict},
	{resource.ErrBadRequest, http.StatusBadRequest},
	{resource.ErrValidation, http.StatusUnprocessableEntity},
}

// Status returns the HTTP status Write would answer err with.
func Status(err error) int {
	return classify(err).status
}

// Write answers err as a JSON:API error document. The status comes from
// the error: an *Error's own Status; *http.MaxBytesError is 413; the
// resource error kinds map to 404, 403, 401, 409, 400 and 422. Anything else
// is a 500 titled "internal error" whose detail is only the request id (from
// chi's RequestID middleware); the error itself is logged to log (or
// slog.Default when log is nil) and never sent. A nil err writes nothing.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if err == nil {
		return
	}
	c := classify(err)
	if c.status >= http.StatusInternalServerError {
		if log == nil {
			log = slog.Default()
		}
		ctx := context.Background()
		id := ""
		method, path := "", ""
		if r != nil {
			ctx = r.Context()
			id = middleware.GetReqID(ctx)
			method, path = r.Method, r.URL.Path
		}
		level := slog.LevelError
		if errors.Is(err, context.Canceled) {
			level = slog.LevelWarn
		}
		log.Log(ctx, level, "request failed", "err", err, "method", method, "path", path, "request_id", id)
		if c.internal {
			c.obj = errorObject{Title: "internal error"}
			if id != "" {
				c.obj.Detail = "request id " + id
			}
		}
	}
	c.obj.Status = strconv.Itoa(c.status)
	body, merr := json.Marshal(document{Errors: []errorObject{c.obj}})
	if merr != nil { // cannot happen: only strings are encoded
		body = []byte(`{"errors":[{"status":"500","title":"internal error"}]}`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Del("Content-Length")
	w.WriteHeader(c.status)
	_, _ = w.Write(body)
}

type classified struct {
	status   int
	obj      errorObject
	internal bool // unknown error: its text must not reach the client
}

func classify(err error) classified {
	var he *Error
	if errors.As(err, &he) {
		status := he.Status
		if status < 400 || status > 599 {
			status = http.StatusInternalServerError
		}
		title := he.Title
		if title == "" {
			title = http.StatusText(status)
		}
		return classified{status: status, obj: errorObject{Code: he.Code, Title: title, Detail: he.Detail, Source: newSource(he.Pointer, he.Parameter)}}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return classified{status: http.StatusRequestEntityTooLarge, obj: errorObject{
			Title:  "request body too large",
			Detail: "the request body is larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes",
		}}
	}
	for _, k := range kinds {
		if !errors.Is(err, k.kind) {
			continue
		}
		var re *resource.Error
		if errors.As(err, &re) && errors.Is(re, k.kind) {
			title := re.Title
			if title == "" {
				title = k.kind.Error()
			}
			return classified{status: k.status, obj: errorObject{Title: title, Detail: re.Detail, Source: newSource(re.Pointer, re.Parameter)}}
		}
		obj := errorObject{Title: k.kind.Error()}
		if msg := err.Error(); msg != obj.Title {
			obj.Detail = msg
		}
		return classified{status: k.status, obj: obj}
	}
	return classified{status: http.StatusInternalServerError, internal: true}
}

func newSource(pointer, parameter string) *source {
	if pointer == "" && parameter == "" {
		return nil
	}
	return &source{Pointer: pointer, Parameter: parameter}
}
