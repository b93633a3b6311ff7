package feed

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// fakeRes is the part of resource.Service the feed handler uses. Rows of
// content tables carry "_guest": true when a guest may read them.
type fakeRes struct {
	resource.Service
	mu        sync.Mutex
	feeds     []map[string]any
	streams   map[string]map[string]any
	tables    map[string][]resource.Row
	forbidden map[string]bool // tables a guest may not list at all
	lastQuery resource.Query
}

func (f *fakeRes) List(ctx context.Context, table string, q resource.Query) (resource.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := auth.PrincipalFrom(ctx)
	if table == feedTable {
		if !p.System {
			return resource.Page{}, resource.ErrForbidden
		}
		for _, a := range f.feeds {
			if len(q.Conditions) == 1 && a["feed_name"] == q.Conditions[0].Value {
				return resource.Page{Rows: []resource.Row{{Table: feedTable, Attrs: a}}}, nil
			}
		}
		return resource.Page{Rows: []resource.Row{}}, nil
	}
	rows, ok := f.tables[table]
	if !ok {
		return resource.Page{}, &resource.Error{Kind: resource.ErrNotFound, Title: "no table " + table}
	}
	if p.IsGuest() && f.forbidden[table] {
		return resource.Page{}, &resource.Error{Kind: resource.ErrForbidden, Title: resource.TitleTableGate}
	}
	f.lastQuery = q
	var out []resource.Row
	for _, r := range rows {
		if p.IsGuest() && r.Attrs["_guest"] != true {
			continue
		}
		out = append(out, resource.Row{Table: r.Table, RefID: r.RefID, Attrs: r.Attrs})
	}
	slices.SortStableFunc(out, func(a, b resource.Row) int {
		return timeOf(b.Attrs["created_at"]).Compare(timeOf(a.Attrs["created_at"]))
	})
	if len(out) > q.PageSize {
		out = out[:q.PageSize]
	}
	return resource.Page{Rows: out, Total: int64(len(out))}, nil
}

func (f *fakeRes) Get(ctx context.Context, table, ref string, _ resource.Query) (resource.Row, error) {
	if !auth.PrincipalFrom(ctx).System || table != streamTable {
		return resource.Row{}, resource.ErrForbidden
	}
	a, ok := f.streams[ref]
	if !ok {
		return resource.Row{}, &resource.Error{Kind: resource.ErrNotFound, Title: "not found"}
	}
	return resource.Row{Table: table, RefID: ref, Attrs: a}, nil
}

var (
	t0       = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	postRows = []resource.Row{
		post("11111111-1111-4111-8111-111111111111", "First post", "one", t0, true),
		post("22222222-2222-4222-8222-222222222222", "Second post", "two", t0.Add(time.Hour), false),
		post("33333333-3333-4333-8333-333333333333", "Third post", "three", t0.Add(2*time.Hour), true),
	}
)

func post(ref, title, content string, at time.Time, guest bool) resource.Row {
	return resource.Row{Table: "post", RefID: ref, Attrs: map[string]any{
		"__type": "post", "reference_id": ref, "title": title, "content": content,
		"created_at": at, "updated_at": at.Add(time.Minute), "_guest": guest,
	}}
}

// newFake has an enabled feed "news" over stream "posts" (root post), a
// disabled feed "off", a feed "nojson" without JSON, and feeds over a
// missing, a disabled and a rootless stream.
func newFake() *fakeRes {
	base := func(name, stream string) map[string]any {
		return map[string]any{"feed_name": name, "title": "News", "description": "All the news",
			"link": "https://example.test/", "author_name": "Ann", "author_email": "ann@example.test",
			"enable": true, "enable_rss": true, "enable_atom": true, "enable_json": true,
			"page_size": int64(1000), "stream_id": stream, "created_at": t0.Add(-time.Hour), "updated_at": t0.Add(-time.Hour)}
	}
	off := base("off", "s-posts")
	off["enable"] = false
	nojson := base("nojson", "s-posts")
	nojson["enable_json"] = false
	return &fakeRes{
		feeds: []map[string]any{base("news", "s-posts"), off, nojson, base("lost", "s-missing"),
			base("dead", "s-disabled"), base("rootless", "s-rootless"), base("nostream", ""), base("badroot", "s-badroot")},
		streams: map[string]map[string]any{
			"s-posts":    {"stream_name": "posts", "enable": true, "stream_contract": `{"StreamName":"posts","RootEntityName":"post","QueryParams":{"page[size]":["5"]}}`},
			"s-disabled": {"stream_name": "d", "enable": false, "stream_contract": `{"RootEntityName":"post"}`},
			"s-rootless": {"stream_name": "r", "enable": true, "stream_contract": `{"Columns":[]}`},
			"s-badroot":  {"stream_name": "b", "enable": true, "stream_contract": `{"RootEntityName":"nope"}`},
		},
		tables:    map[string][]resource.Row{"post": postRows},
		forbidden: map[string]bool{},
	}
}

// serve mounts the feed routes; any Authorization header makes the caller
// an administrator instead of a guest.
func serve(f *fakeRes) http.Handler {
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.Header.Get("Authorization") != "" {
				req = req.WithContext(auth.WithPrincipal(req.Context(), auth.Principal{UserID: 1, Admin: true}))
			}
			next.ServeHTTP(w, req)
		})
	})
	Mount(r, func() resource.Service { return f }, slog.New(slog.DiscardHandler), nil)
	return r
}

func get(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, http.MethodGet, path, hdr...)
}

func do(t *testing.T, h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
