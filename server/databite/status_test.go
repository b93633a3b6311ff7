package databite

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/integrations/oauth"
	"github.com/apiary/apiary/resource"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"route error", errStatus(http.StatusConflict, "busy"), 409, "busy"},
		{"timeout", fmt.Errorf("%w: x did not answer within 1s", connector.ErrUpstream), 504, "upstream call failed: x did not answer within 1s"},
		{"upstream", fmt.Errorf("%w: refused", connector.ErrUpstream), 502, "upstream call failed: refused"},
		{"no records", integrations.ErrRecords, 502, integrations.ErrRecords.Error()},
		{"provider", fmt.Errorf("%w: bad token answer", oauth.ErrProvider), 502, ""},
		{"state", fmt.Errorf("%w: replayed", oauth.ErrState), 400, ""},
		{"engine not found", fmt.Errorf("%w: no such thing", integrations.ErrNotFound), 404, "no such thing"},
		{"input", fmt.Errorf("%w: id is required", connector.ErrInput), 400, "invalid input: id is required"},
		{"spec", fmt.Errorf("%w: cycle", connector.ErrBadSpec), 400, "invalid specification: cycle"},
		{"resource not found", &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: "credential x"}, 404, "not found: credential x"},
		{"forbidden hides detail", &resource.Error{Kind: resource.ErrForbidden, Title: "forbidden", Detail: "secret reason"}, 403, "forbidden"},
		{"unauthenticated", &resource.Error{Kind: resource.ErrUnauthenticated, Title: "who"}, 401, "who"},
		{"conflict", &resource.Error{Kind: resource.ErrConflict, Title: "conflict", Detail: "dup"}, 409, "conflict: dup"},
		{"validation", &resource.Error{Kind: resource.ErrValidation, Title: "invalid value"}, 400, "invalid value"},
		{"bad request", &resource.Error{Kind: resource.ErrBadRequest, Title: "bad"}, 400, "bad"},
		{"anything else", errors.New("database exploded with password=x"), 500, "internal error"},
	}
	for _, tc := range tests {
		status, msg := StatusOf(tc.err)
		if status != tc.status || (tc.msg != "" && msg != tc.msg) {
			t.Errorf("%s: %d %q, want %d %q", tc.name, status, msg, tc.status, tc.msg)
		}
	}
}

func TestNotFoundAs(t *testing.T) {
	if err := notFoundAs(nil, "x"); err != nil {
		t.Errorf("nil became %v", err)
	}
	for _, err := range []error{&resource.Error{Kind: resource.ErrNotFound, Title: "nf"}, &resource.Error{Kind: resource.ErrBadRequest, Title: "bad id"}} {
		if s, m := statusOf(notFoundAs(err, "Thing not found")); s != 404 || m != "Thing not found" {
			t.Errorf("%v: %d %q", err, s, m)
		}
	}
	forbidden := &resource.Error{Kind: resource.ErrForbidden, Title: "no"}
	if got := notFoundAs(forbidden, "x"); got != forbidden {
		t.Errorf("forbidden became %v", got)
	}
}
