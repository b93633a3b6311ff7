package site

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/filestore"
)

// Table is the site table.
const Table = "site"

// Deps are what site hosting needs.
type Deps struct {
	Res    func() resource.Service
	Stores *filestore.Stores
	Log    *slog.Logger
	// Render renders a template row; Exec runs an action for a template's
	// action_config, which ActionOf reads from the template row.
	Render   func(ctx context.Context, name string, data map[string]any) (actions.Rendered, error)
	Exec     func(ctx context.Context, typ, action string, attrs map[string]any) ([]actions.Response, error)
	ActionOf func(ctx context.Context, template string) (typ, action string, attrs map[string]any, ok bool)
}

// Sites switches requests to sites by host or first path segment.
type Sites struct {
	d      Deps
	mu     sync.Mutex
	fresh  bool
	byHost map[string]info
	tpl    templates
}

// info is what serving needs of one enabled site row.
type info struct {
	ref, dir, storeRef, host string
}

// New returns the site switch; call Watch once the resource layer exists.
func New(d Deps) *Sites { return &Sites{d: d} }

// Watch reloads the sites after any change to a site or cloud_store row.
func (s *Sites) Watch() (cancel func()) {
	return s.d.Res().Subscribe(func(c resource.Change) {
		if c.Table == Table || c.Table == filestore.TableStore {
			s.mu.Lock()
			s.fresh = false
			s.mu.Unlock()
		}
		if c.Table == actions.TemplateTable {
			s.tpl.invalidate()
		}
	})
}

// lookup returns the enabled site serving host.
func (s *Sites) lookup(ctx context.Context, host string) (info, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fresh {
		m, err := s.load(ctx)
		if err != nil {
			s.d.Log.WarnContext(ctx, "sites not loaded", "err", err)
			return info{}, false
		}
		s.byHost, s.fresh = m, true
	}
	i, ok := s.byHost[strings.ToLower(host)]
	return i, ok
}

func (s *Sites) load(ctx context.Context) (map[string]info, error) {
	ctx = auth.WithPrincipal(ctx, auth.System())
	m := map[string]info{}
	for page := 1; ; page++ {
		p, err := s.d.Res().List(ctx, Table, resource.Query{PageNumber: page, PageSize: resource.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, r := range p.Rows {
			str := func(k string) string { v, _ := r.Attrs[k].(string); return v }
			if en, ok := r.Attrs["enable"].(bool); (ok && !en) || str("cloud_store_id") == "" {
				continue
			}
			for _, h := range strings.Split(str("hostname"), ",") {
				if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
					m[h] = info{ref: r.RefID, dir: str("path"), storeRef: str("cloud_store_id"), host: h}
				}
			}
		}
		if len(p.Rows) < resource.MaxPageSize {
			return m, nil
		}
	}
}

// apiPrefixes stay on the main router even on a site's host.
var apiPrefixes = []string{"/api", "/action", "/meta", "/stats", "/feed", "/asset", "/jsmodel", "/integration", "/_config"}

func isAPIPath(p string) bool {
	for _, a := range apiPrefixes {
		if rest, ok := strings.CutPrefix(p, a); ok && (rest == "" || rest[0] == '/') {
			return true
		}
	}
	return strings.HasPrefix(p, "/.well-known/")
}

// Middleware serves site requests and passes every other request on.
func (s *Sites) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/.well-known/") {
			next.ServeHTTP(w, r)
			return
		}
		if s.d.Render != nil && !isAPIPath(r.URL.Path) {
			if name, params, ok := match(s.routes(r.Context()), r.URL.Path); ok {
				s.serveTemplate(w, r, name, params)
				return
			}
		}
		host := r.Host
		// Without a ':' SplitHostPort can only fail (and allocate its error).
		if strings.IndexByte(host, ':') >= 0 {
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
		}
		if i, ok := s.lookup(r.Context(), host); ok && !isAPIPath(r.URL.Path) {
			s.serve(w, r, i, r.URL.Path, true)
			return
		}
		first, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if strings.Contains(first, ".") {
			if i, ok := s.lookup(r.Context(), first); ok {
				s.serve(w, r, i, "/"+rest, false)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
