package actions

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/apiary/apiary/resource"
)

// Response is one client instruction.
type Response struct {
	ResponseType string `json:"ResponseType"`
	Attributes   any    `json:"Attributes"`
}

// Notify builds a client.notify instruction as built-in actions emit it.
func Notify(kind, title, message string) Response {
	return Response{ResponseType: "client.notify", Attributes: map[string]any{
		"__type": "client.notify", "type": kind, "title": title, "message": message}}
}

// Redirect builds a client.redirect instruction.
func Redirect(location, window string, delayMS int) Response {
	return Response{ResponseType: "client.redirect", Attributes: map[string]any{
		"__type": "client.redirect", "location": location, "window": window, "delay": delayMS}}
}

// Error is an action failure with its HTTP status.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Fail builds an action failure.
func Fail(status int, format string, a ...any) error {
	return &Error{Status: status, Message: fmt.Sprintf(format, a...)}
}

// invalidField is the message Daptin gives for a failed validation tag.
func invalidField(tag, field string) error {
	return Fail(http.StatusBadRequest, "http error (400) %s and 0 more errors, invalid value for %s", tag, field)
}

// StatusAndBody maps an error to the status and the one-element array
// Daptin clients expect: a client.notify of type error, title failed.
func StatusAndBody(err error) (int, []Response) {
	status, msg := http.StatusInternalServerError, "internal error"
	var ae *Error
	var re *resource.Error
	switch {
	case errors.As(err, &ae):
		status, msg = ae.Status, ae.Message
	case errors.As(err, &re):
		msg = re.Title
		if re.Detail != "" && re.Kind != resource.ErrForbidden {
			msg = re.Title + ": " + re.Detail
		}
		status = resourceStatus(re.Kind)
	}
	return status, []Response{{ResponseType: "client.notify", Attributes: map[string]any{
		"message": msg, "title": "failed", "type": "error"}}}
}

func resourceStatus(kind error) int {
	switch kind {
	case resource.ErrNotFound:
		return http.StatusNotFound
	case resource.ErrForbidden:
		return http.StatusForbidden
	case resource.ErrUnauthenticated:
		return http.StatusUnauthorized
	case resource.ErrConflict:
		return http.StatusConflict
	case resource.ErrBadRequest, resource.ErrValidation:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
