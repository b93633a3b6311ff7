package actions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

func TestStatusAndBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"action failure", Fail(http.StatusTeapot, "no %s", "tea"), http.StatusTeapot, "no tea"},
		{"wrapped action failure", fmt.Errorf("outer: %w", Fail(400, "bad")), 400, "bad"},
		{"not found", &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: "no row"}, 404, "not found: no row"},
		{"forbidden hides the detail", &resource.Error{Kind: resource.ErrForbidden, Title: "forbidden", Detail: "secret"}, 403, "forbidden"},
		{"unauthenticated", &resource.Error{Kind: resource.ErrUnauthenticated, Title: "sign in"}, 401, "sign in"},
		{"conflict", &resource.Error{Kind: resource.ErrConflict, Title: "exists"}, 409, "exists"},
		{"validation", &resource.Error{Kind: resource.ErrValidation, Title: "invalid", Detail: "x"}, 400, "invalid: x"},
		{"bad request", &resource.Error{Kind: resource.ErrBadRequest, Title: "bad"}, 400, "bad"},
		{"anything else", errors.New("disk on fire"), 500, "internal error"},
	}
	for _, c := range cases {
		status, body := StatusAndBody(c.err)
		if status != c.status || len(body) != 1 {
			t.Errorf("%s: %d %v", c.name, status, body)
			continue
		}
		attrs := body[0].Attributes.(map[string]any)
		if body[0].ResponseType != "client.notify" || attrs["message"] != c.msg || attrs["title"] != "failed" || attrs["type"] != "error" {
			t.Errorf("%s: %+v", c.name, body[0])
		}
	}
}

func TestAsActionError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err    error
		status int
		msg    string
	}{
		{Fail(400, "bad cell"), 400, "row 3: bad cell"},
		{&resource.Error{Kind: resource.ErrConflict, Title: "duplicate"}, 409, "row 3: duplicate"},
		{errors.New("driver: broken pipe"), 500, "row 3: driver: broken pipe"},
	}
	for _, c := range cases {
		err := asActionError(c.err, "row %d", 3)
		var ae *Error
		if !errors.As(err, &ae) || ae.Status != c.status || ae.Message != c.msg {
			t.Errorf("asActionError(%v) = %v", c.err, err)
		}
	}
}

func TestFileObjects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   any
		n    int
		bad  bool
	}{
		{"one object", map[string]any{"name": "a"}, 1, false},
		{"a list", []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}, 2, false},
		{"a JSON string", `[{"name":"a"}]`, 1, false},
		{"bad JSON string", `[{`, 0, true},
		{"a list of strings", []any{"a"}, 0, true},
		{"nothing", nil, 0, true},
		{"empty list", []any{}, 0, true},
	}
	for _, c := range cases {
		got, err := fileObjects("files", c.in)
		if (err != nil) != c.bad || len(got) != c.n {
			t.Errorf("%s: %v, %v", c.name, got, err)
		}
		if c.bad {
			if status, _ := StatusAndBody(err); status != http.StatusBadRequest {
				t.Errorf("%s: status %d", c.name, status)
			}
		}
	}
}

func TestRequireAdminAndResponses(t *testing.T) {
	t.Parallel()
	if err := requireAdmin(context.Background()); err == nil {
		t.Error("a guest passed requireAdmin")
	}
	if st, _ := StatusAndBody(requireAdmin(context.Background())); st != http.StatusForbidden {
		t.Errorf("status %d", st)
	}
	admin := auth.WithPrincipal(context.Background(), auth.Principal{Email: "a@x", Admin: true})
	if err := requireAdmin(admin); err != nil {
		t.Errorf("administrator refused: %v", err)
	}
	d := fileDownload([]byte("hi"), "a.txt", "text/plain", "done")
	if a := d.Attributes.(map[string]any); d.ResponseType != "client.file.download" || a["content"] != "aGk=" || a["name"] != "a.txt" {
		t.Errorf("fileDownload = %+v", d)
	}
}

func TestSchemaLockIsPerExecutor(t *testing.T) {
	t.Parallel()
	a, b := New(Options{}), New(Options{})
	a.schemaMu.Lock()
	defer a.schemaMu.Unlock()
	if !b.schemaMu.TryLock() {
		t.Fatal("a second executor waits on the first one's schema lock")
	}
	b.schemaMu.Unlock()
}

func TestNotifyAndRedirectShapes(t *testing.T) {
	t.Parallel()
	n := Notify("warning", "T", "M").Attributes.(map[string]any)
	if n["__type"] != "client.notify" || n["type"] != "warning" || n["title"] != "T" || n["message"] != "M" {
		t.Errorf("notify: %v", n)
	}
	r := Redirect("/x", "_blank", 10)
	a := r.Attributes.(map[string]any)
	if r.ResponseType != "client.redirect" || a["location"] != "/x" || a["window"] != "_blank" || a["delay"] != 10 {
		t.Errorf("redirect: %+v", r)
	}
}
