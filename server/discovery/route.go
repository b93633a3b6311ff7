package discovery

import (
	"bytes"
	"time"
)

// appendRoutePattern appends to b the route pattern chi's
// Context.RoutePattern returns for pats (the matched patterns of each
// router level): joined, every "/*/" replaced by "/" until none is left,
// then a trailing "//" and "/" cut unless the pattern is "/". It builds no
// string, so the metrics middleware can look the pattern up without
// allocating.
func appendRoutePattern(b []byte, pats []string) []byte {
	start := len(b)
	for _, p := range pats {
		b = append(b, p...)
	}
	p := b[start:]
	for bytes.Contains(p, []byte(wildcardSegment)) {
		p = replaceWildcards(p)
	}
	if string(p) != "/" {
		p = bytes.TrimSuffix(p, []byte("//"))
		p = bytes.TrimSuffix(p, []byte("/"))
	}
	return b[:start+len(p)]
}

const wildcardSegment = "/*/"

// replaceWildcards replaces, in place and left to right, every
// non-overlapping "/*/" in p by "/", as strings.ReplaceAll does.
func replaceWildcards(p []byte) []byte {
	w := 0
	for r := 0; r < len(p); {
		if bytes.HasPrefix(p[r:], []byte(wildcardSegment)) {
			p[w] = '/'
			w++
			r += len(wildcardSegment)
			continue
		}
		p[w] = p[r]
		w++
		r++
	}
	return p[:w]
}

// observePattern is Observe for a route pattern held in bytes: the
// pattern is interned (one string per distinct route, which the router
// bounds), so a request allocates no route string. An empty pattern is
// unmatchedRoute.
func (m *Metrics) observePattern(method string, pat []byte, status int, d time.Duration) {
	route := unmatchedRoute
	if len(pat) > 0 {
		m.mu.Lock()
		r, ok := m.routes[string(pat)]
		if !ok {
			r = string(pat)
			m.routes[r] = r
		}
		m.mu.Unlock()
		route = r
	}
	m.Observe(method, route, status, d)
}
