package jsonapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// cached answers a read from Deps.Cache when the resource layer's read
// stamp of the table is the one the answer was stored under, and stores
// successful answers otherwise. The key holds the caller's identity, the
// path and the raw query, so callers never see each other's answers.
func (a *api) cached(table func(*http.Request) string, next http.HandlerFunc) http.HandlerFunc {
	if a.d.Cache == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		st, ok := a.d.Res().(resource.Stamper)
		if !ok {
			next(w, r)
			return
		}
		key := cacheKey(r)
		stamp := st.ReadStamp(table(r)) // before the read: a write during it makes the answer stale
		if body, ok := a.d.Cache.Get(key, stamp); ok {
			h := w.Header()
			h.Set("Content-Type", ContentType)
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body)
			return
		}
		tw := &teeWriter{ResponseWriter: w}
		next(tw, r)
		if tw.status == http.StatusOK && tw.ok && tw.Header().Get("Content-Type") == ContentType {
			a.d.Cache.Put(key, stamp, tw.body)
		}
	}
}

func urlTable(r *http.Request) string { return chi.URLParam(r, "t") }

// cacheKey is the caller's identity, the path and the raw query.
func cacheKey(r *http.Request) string {
	p := auth.PrincipalFrom(r.Context())
	var b strings.Builder
	b.Grow(len(p.Email) + len(r.URL.Path) + len(r.URL.RawQuery) + 16)
	b.WriteString(p.Email)
	for _, s := range p.Scopes {
		b.WriteByte(',')
		b.WriteString(s)
	}
	if p.System {
		b.WriteString("\x1fsystem")
	}
	b.WriteByte(0)
	b.WriteString(r.URL.Path)
	b.WriteByte('?')
	b.WriteString(r.URL.RawQuery)
	return b.String()
}

// teeWriter passes an answer through and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   []byte
	ok     bool // false once a write failed
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
		t.ok = true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(p []byte) (int, error) {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	n, err := t.ResponseWriter.Write(p)
	if err != nil {
		t.ok = false
	}
	t.body = append(t.body, p...)
	return n, err
}
