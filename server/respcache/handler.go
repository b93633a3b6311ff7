package respcache

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
)

// StampFunc returns the read stamp a request's answer depends on, taken
// before the answer is computed, and the group of answers sharing that
// stamp (the table read); ok false means the request is not cached.
type StampFunc func(r *http.Request) (group string, stamp uint64, ok bool)

// Wrap answers a read from the cache when its stamp is the one the answer
// was stored under, and stores successful answers (200 with content type
// ct) otherwise. A nil cache returns next unchanged.
func (c *Cache) Wrap(stampOf StampFunc, ct string, next http.HandlerFunc) http.HandlerFunc {
	if c == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next(w, r)
			return
		}
		grp, stamp, ok := stampOf(r) // before the read: a write during it makes the answer stale
		if !ok {
			next(w, r)
			return
		}
		key := Key(r)
		if body, ok := c.Get(key, stamp); ok {
			vals := make([]string, 2) // one array for both values
			vals[0], vals[1] = ct, strconv.Itoa(len(body))
			h := w.Header()
			h["Content-Type"] = vals[0:1:1]
			h["Content-Length"] = vals[1:2:2]
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body)
			return
		}
		tw := &teeWriter{ResponseWriter: w}
		next(tw, r)
		if tw.status == http.StatusOK && tw.ok && tw.Header().Get("Content-Type") == ct {
			c.Put(key, grp, stamp, tw.body)
		}
	}
}

// Key is the caller's identity (email, service-token scopes), the path
// and the raw query: callers never see each other's answers.
func Key(r *http.Request) string {
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
