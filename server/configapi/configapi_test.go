package configapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// newAPI mounts the config API over a fresh, seeded database and records
// every onChange call.
func newAPI(t *testing.T) (http.Handler, *[]string) {
	t.Helper()
	sc, err := schema.Compile()
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	if _, err := migrations.Apply(ctx, d, sc, log); err != nil {
		t.Fatal(err)
	}
	if err := bootstrap.Run(ctx, d, sc, bootstrap.Options{LocalStoragePath: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var changed []string
	r := chi.NewRouter()
	Mount(r, resource.NewConfigStore(d), log, func(key string) { mu.Lock(); changed = append(changed, key); mu.Unlock() })
	return r, &changed
}

func call(h http.Handler, p auth.Principal, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req = req.WithContext(auth.WithPrincipal(req.Context(), p))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestOnChange(t *testing.T) {
	t.Parallel()
	h, changed := newAPI(t)
	admin := auth.Principal{UserID: 1, Email: "admin@example.test", Admin: true}
	user := auth.Principal{UserID: 2, Email: "bob@example.test"}
	steps := []struct {
		p            auth.Principal
		method, path string
		status       int
	}{
		{admin, http.MethodPost, "/_config/backend/limit.max_connections", http.StatusOK},
		{admin, http.MethodDelete, "/_config/backend/gzip.enable", http.StatusOK},
		{admin, http.MethodPut, "/_config/web/theme", http.StatusOK}, // not a server key: no onChange
		{admin, http.MethodGet, "/_config/backend/hostname", http.StatusOK},
		{user, http.MethodPost, "/_config/backend/graphql.enable", http.StatusForbidden},
		{auth.Guest(), http.MethodPost, "/_config/backend/graphql.enable", http.StatusUnauthorized},
		{admin, http.MethodPost, "/_config/backend", http.StatusBadRequest},
	}
	for _, s := range steps {
		if w := call(h, s.p, s.method, s.path, "50"); w.Code != s.status {
			t.Fatalf("%s %s: %d %s, want %d", s.method, s.path, w.Code, w.Body, s.status)
		}
	}
	if want := []string{"limit.max_connections", "gzip.enable"}; !slices.Equal(*changed, want) {
		t.Errorf("onChange calls %v, want %v", *changed, want)
	}
	w := call(h, admin, http.MethodGet, "/_config/backend/limit.max_connections", "")
	if b, _ := io.ReadAll(w.Body); string(b) != "50" {
		t.Errorf("value %q", b)
	}
	if w := call(h, admin, http.MethodGet, "/_config/backend/gzip.enable", ""); w.Code != http.StatusNotFound {
		t.Errorf("deleted key: %d", w.Code)
	}
	// The system principal is an administrator too.
	if w := call(h, auth.System(), http.MethodGet, "/_config", ""); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "jwt.secret") {
		t.Errorf("system list: %d %s", w.Code, w.Body)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	h, changed := newAPI(t)
	admin := auth.Principal{UserID: 1, Email: "admin@example.test", Admin: true}
	long := strings.Repeat("k", 101)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/_config/backend/" + long, http.StatusBadRequest},
		{http.MethodPost, "/_config/" + long + "/key", http.StatusBadRequest},
		{http.MethodGet, "/_config/backend/no.such.key", http.StatusNotFound},
		{http.MethodGet, "/_config/backend/jwt.secret", http.StatusForbidden}, // write-only
	} {
		if w := call(h, admin, c.method, c.path, "v"); w.Code != c.status {
			t.Errorf("%s %.60s: %d %s, want %d", c.method, c.path, w.Code, w.Body, c.status)
		}
	}
	if len(*changed) != 0 {
		t.Errorf("refused requests changed %v", *changed)
	}
}
