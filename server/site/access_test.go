package site

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/filestore"
)

// accessRes lets only u@x.test (password pw) execute the site, and finds
// the site's local store.
type accessRes struct {
	resource.Service // nil: only the methods below are called
	root             string
}

func (a accessRes) Authenticate(_ context.Context, email, pw string) (auth.Principal, error) {
	if email == "u@x.test" && pw == "pw" {
		return auth.Principal{UserID: 1, Email: email}, nil
	}
	return auth.Principal{}, resource.ErrUnauthenticated
}

func (a accessRes) CheckRow(ctx context.Context, _, _ string, op auth.Op) (resource.Row, error) {
	if op == auth.OpExecute && auth.PrincipalFrom(ctx).Email == "u@x.test" {
		return resource.Row{}, nil
	}
	return resource.Row{}, resource.ErrForbidden
}

func (a accessRes) store() resource.Row {
	return resource.Row{RefID: "st", Attrs: map[string]any{"name": "disk", "store_provider": "local", "root_path": a.root}}
}

func (a accessRes) Get(context.Context, string, string, resource.Query) (resource.Row, error) {
	return a.store(), nil
}

func (a accessRes) List(context.Context, string, resource.Query) (resource.Page, error) {
	return resource.Page{Rows: []resource.Row{a.store()}}, nil
}

func TestServeAccess(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "www"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "www", "index.html"), []byte("<p>private</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := accessRes{root: root}
	s := New(Deps{Res: func() resource.Service { return res }, Stores: filestore.New(func() resource.Service { return res }, "", slog.New(slog.DiscardHandler))})
	site := info{ref: "s1", dir: "www", storeRef: "st", host: "blog.test"}
	cases := []struct {
		name, method, user string
		byHost             bool
		status             int
		body, challenge    string
	}{
		{"guest by host", http.MethodGet, "", true, 401, "unauthorised", `Basic realm="blog.test"`},
		{"guest by path", http.MethodGet, "", false, 403, "Unauthorized", ""},
		{"wrong password is a guest", http.MethodGet, "u@x.test:nope", true, 401, "unauthorised", `Basic realm="blog.test"`},
		{"user", http.MethodGet, "u@x.test:pw", true, 200, "<p>private</p>", ""},
		{"user POST", http.MethodPost, "u@x.test:pw", true, 405, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, "/", nil)
			if c.user != "" {
				u, p, _ := strings.Cut(c.user, ":")
				r.SetBasicAuth(u, p)
			}
			w := httptest.NewRecorder()
			s.serve(w, r, site, "/", c.byHost)
			if w.Code != c.status || (c.body != "" && w.Body.String() != c.body) || w.Header().Get("WWW-Authenticate") != c.challenge {
				t.Fatalf("%d %q %q", w.Code, w.Body.String(), w.Header().Get("WWW-Authenticate"))
			}
		})
	}
}
