package httperr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/resource"
)

// syncBuffer is a log sink safe for parallel handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		body   string
		logged bool
	}{
		{"forbidden as Daptin", &resource.Error{Kind: resource.ErrForbidden, Title: resource.TitleTableGate}, 403,
			`{"errors":[{"status":"403","title":"TableAccessPermissionChecker"}]}`, false},
		{"wrapped forbidden", fmt.Errorf("create todo: %w", &resource.Error{Kind: resource.ErrForbidden, Title: resource.TitleRowGate}), 403,
			`{"errors":[{"status":"403","title":"ObjectAccessPermissionChecker"}]}`, false},
		{"not found", &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: "no such table nosuch"}, 404,
			`{"errors":[{"status":"404","title":"not found","detail":"no such table nosuch"}]}`, false},
		{"unauthenticated", &resource.Error{Kind: resource.ErrUnauthenticated, Title: "invalid token"}, 401,
			`{"errors":[{"status":"401","title":"invalid token"}]}`, false},
		{"conflict plain kind", fmt.Errorf("update todo: %w", resource.ErrConflict), 409,
			`{"errors":[{"status":"409","title":"conflict","detail":"update todo: conflict"}]}`, false},
		{"bare kind", resource.ErrNotFound, 404, `{"errors":[{"status":"404","title":"not found"}]}`, false},
		{"bad request with parameter", &resource.Error{Kind: resource.ErrBadRequest, Title: "invalid query parameter", Detail: "unknown column x", Parameter: "sort"}, 400,
			`{"errors":[{"status":"400","title":"invalid query parameter","detail":"unknown column x","source":{"parameter":"sort"}}]}`, false},
		{"validation with pointer", &resource.Error{Kind: resource.ErrValidation, Title: "invalid value for title", Pointer: "/data/attributes/title"}, 422,
			`{"errors":[{"status":"422","title":"invalid value for title","source":{"pointer":"/data/attributes/title"}}]}`, false},
		{"max bytes", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413,
			`{"errors":[{"status":"413","title":"request body too large","detail":"the request body is larger than 10 bytes"}]}`, false},
		{"handler error", New(http.StatusMethodNotAllowed, "method not allowed", "PUT is not allowed"), 405,
			`{"errors":[{"status":"405","title":"method not allowed","detail":"PUT is not allowed"}]}`, false},
		{"handler error with pointer", &Error{Status: 409, Title: "type mismatch", Pointer: "/data/type"}, 409,
			`{"errors":[{"status":"409","title":"type mismatch","source":{"pointer":"/data/type"}}]}`, false},
		{"handler 503 kept and logged", New(http.StatusServiceUnavailable, "unavailable", "try later"), 503,
			`{"errors":[{"status":"503","title":"unavailable","detail":"try later"}]}`, true},
		{"unknown is hidden", errors.New("UNIQUE constraint failed: user_account.email"), 500,
			`{"errors":[{"status":"500","title":"internal error","detail":"request id host/req-1"}]}`, true},
		{"resource error of unknown kind", &resource.Error{Kind: errors.New("db"), Title: "secret"}, 500,
			`{"errors":[{"status":"500","title":"internal error","detail":"request id host/req-1"}]}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			r := httptest.NewRequest("GET", "/api/todo", nil)
			r = r.WithContext(ctxWithReqID(r, "host/req-1"))
			w := httptest.NewRecorder()
			Write(w, r, log, tc.err)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("got %d %s\nwant %d %s", w.Code, w.Body, tc.status, tc.body)
			}
			if Status(tc.err) != tc.status {
				t.Errorf("Status = %d", Status(tc.err))
			}
			if ct := w.Header().Get("Content-Type"); ct != ContentType {
				t.Errorf("Content-Type %q", ct)
			}
			if got := strings.Contains(logs.String(), "request_id=host/req-1"); got != tc.logged {
				t.Errorf("logged = %v, want %v: %s", got, tc.logged, logs.String())
			}
			if tc.logged && !strings.Contains(logs.String(), tc.err.Error()) {
				t.Errorf("real error not logged: %s", logs.String())
			}
		})
	}
}

func ctxWithReqID(r *http.Request, id string) context.Context {
	return context.WithValue(r.Context(), middleware.RequestIDKey, id)
}

func TestHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    HandlerFunc
		code int
		body string
	}{
		{"ok", func(w http.ResponseWriter, _ *http.Request) error { w.WriteHeader(204); return nil }, 204, ""},
		{"error", func(http.ResponseWriter, *http.Request) error { return resource.ErrNotFound }, 404, `{"errors":[{"status":"404","title":"not found"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			Handle(nil, tc.h)(w, httptest.NewRequest("GET", "/", nil))
			if w.Code != tc.code || w.Body.String() != tc.body {
				t.Errorf("got %d %q", w.Code, w.Body)
			}
		})
	}
}

func TestNilErrorWritesNothing(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	Write(w, httptest.NewRequest("GET", "/", nil), nil, nil)
	if w.Body.Len() != 0 || len(w.Header()) != 0 {
		t.Errorf("wrote %q %v", w.Body, w.Header())
	}
}
