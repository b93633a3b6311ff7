package resource

import (
	"errors"
	"fmt"
)

// Error kinds. Every error the layer returns wraps one of them (test with
// errors.Is); surfaces map them to their own codes (HTTP, IMAP, FTP...).
var (
	ErrNotFound        = errors.New("not found")         // unknown table, row or relation
	ErrForbidden       = errors.New("forbidden")         // permission denied
	ErrUnauthenticated = errors.New("unauthenticated")   // bad credentials or token
	ErrConflict        = errors.New("conflict")          // unique violation, stale version, still referenced
	ErrBadRequest      = errors.New("bad request")       // malformed id, query, sort, filter
	ErrValidation      = errors.New("validation failed") // a value does not fit its column
)

// Titles Daptin clients know for permission failures.
const (
	TitleTableGate = "TableAccessPermissionChecker"
	TitleRowGate   = "ObjectAccessPermissionChecker"
)

// Error carries a kind plus what a client needs to fix the request.
type Error struct {
	Kind      error
	Title     string
	Detail    string
	Pointer   string // JSON pointer into the body, e.g. /data/attributes/title
	Parameter string // query parameter at fault, e.g. sort
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Title + ": " + e.Detail
	}
	return e.Title
}

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

func notFound(format string, a ...any) error {
	return &Error{Kind: ErrNotFound, Title: "not found", Detail: fmt.Sprintf(format, a...)}
}

func forbidden(title string) error {
	return &Error{Kind: ErrForbidden, Title: title}
}

func badParam(param, format string, a ...any) error {
	return &Error{Kind: ErrBadRequest, Title: "invalid query parameter", Detail: fmt.Sprintf(format, a...), Parameter: param}
}

func invalidAttr(column, format string, a ...any) error {
	return &Error{Kind: ErrValidation, Title: "invalid value for " + column, Detail: fmt.Sprintf(format, a...), Pointer: "/data/attributes/" + column}
}

func conflict(format string, a ...any) error {
	return &Error{Kind: ErrConflict, Title: "conflict", Detail: fmt.Sprintf(format, a...)}
}
