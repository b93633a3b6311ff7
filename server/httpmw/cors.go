package httpmw

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxCORSAge is the largest Access-Control-Max-Age sent, one day.
const maxCORSAge = 86400

// corsMethods are the only methods a preflight may ask for (contract §10.5).
var corsMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

// defaultCORSHeaders are the request headers allowed when allowed_headers is
// empty: what a JSON:API client sends (Content-Type
// application/vnd.api+json, a bearer token) plus the CORS-safelisted names.
var defaultCORSHeaders = []string{"Accept", "Accept-Language", "Content-Language", "Content-Type", "Authorization"}

// CORSConfig is the parsed cors.config value (contract §9.2):
//
//	{"version":"1","allowed_origins":[],"allowed_methods":[],"allowed_headers":[],
//	 "exposed_headers":[],"allow_credentials":false,"max_age":0}
//
// CORS is deny-by-default: with no allowed_origins no cross-origin caller is
// let in. Once an origin is listed, an empty allowed_methods means all six
// methods a preflight may ask for (GET, HEAD, POST, PUT, PATCH, DELETE),
// since a JSON:API client needs PATCH and DELETE and the origin list is the
// real gate; an empty allowed_headers means Accept, Accept-Language,
// Content-Language, Content-Type and Authorization.
type CORSConfig struct {
	Version          string   `json:"version"`
	AllowedOrigins   []string `json:"allowed_origins"`   // exact scheme://host[:port]
	AllowedMethods   []string `json:"allowed_methods"`   // subset of GET HEAD POST PUT PATCH DELETE
	AllowedHeaders   []string `json:"allowed_headers"`   // request header names
	ExposedHeaders   []string `json:"exposed_headers"`   // response headers a script may read
	AllowCredentials bool     `json:"allow_credentials"` // needs at least one origin
	MaxAge           int      `json:"max_age"`           // seconds a preflight may be cached; capped at 86400
}

// ParseCORS parses and validates a cors.config value. An empty string is the
// default (deny every origin). Origins must be exact scheme://host[:port]
// values: no "*", no "null", no path or trailing slash, no user info, query
// or fragment. Methods must come from GET, HEAD, POST, PUT, PATCH, DELETE;
// header names must be HTTP tokens (no "*"); allow_credentials needs an
// origin; max_age must not be negative. On error the zero CORSConfig, which
// denies every origin, is returned with it.
func ParseCORS(js string) (CORSConfig, error) {
	var c CORSConfig
	if strings.TrimSpace(js) == "" {
		return c, nil
	}
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return CORSConfig{}, fmt.Errorf("cors.config: %w", err)
	}
	if _, err := c.policy(); err != nil {
		return CORSConfig{}, fmt.Errorf("cors.config: %w", err)
	}
	return c, nil
}

// corsPolicy is a validated CORSConfig ready for per-request lookups. The
// zero value denies every origin.
type corsPolicy struct {
	origins     map[string]bool // normalised origin
	methods     map[string]bool
	headers     map[string]bool // lower-case
	credentials bool
	allowMethod string // Access-Control-Allow-Methods value
	allowHeader string // Access-Control-Allow-Headers value
	expose      string // Access-Control-Expose-Headers value, may be empty
	maxAge      string // Access-Control-Max-Age value, empty for none
}

// compileCORS turns c into a policy; an invalid c denies every origin.
func compileCORS(c CORSConfig) corsPolicy {
	p, err := c.policy()
	if err != nil {
		return corsPolicy{}
	}
	return p
}

func (c CORSConfig) policy() (corsPolicy, error) {
	var p corsPolicy
	if c.Version != "" && c.Version != "1" {
		return p, fmt.Errorf("unsupported version %q", c.Version)
	}
	p.origins = make(map[string]bool, len(c.AllowedOrigins))
	for _, o := range c.AllowedOrigins {
		n, err := normaliseOrigin(o)
		if err != nil {
			return corsPolicy{}, err
		}
		p.origins[n] = true
	}
	if c.AllowCredentials && len(p.origins) == 0 {
		return corsPolicy{}, errors.New("allow_credentials needs at least one allowed origin")
	}
	p.credentials = c.AllowCredentials
	methods := c.AllowedMethods
	if len(methods) == 0 {
		methods = corsMethods
	}
	p.methods = make(map[string]bool, len(methods))
	var ms []string
	for _, m := range methods {
		u := strings.ToUpper(strings.TrimSpace(m))
		if !contains(corsMethods, u) {
			return corsPolicy{}, fmt.Errorf("method %q is not one of %s", m, strings.Join(corsMethods, ", "))
		}
		if !p.methods[u] {
			p.methods[u] = true
			ms = append(ms, u)
		}
	}
	p.allowMethod = strings.Join(ms, ", ")
	headers := c.AllowedHeaders
	if len(headers) == 0 {
		headers = defaultCORSHeaders
	}
	p.headers = make(map[string]bool, len(headers))
	var hs []string
	for _, h := range headers {
		h = strings.TrimSpace(h)
		if !isToken(h) {
			return corsPolicy{}, fmt.Errorf("allowed header %q is not a header name", h)
		}
		if l := strings.ToLower(h); !p.headers[l] {
			p.headers[l] = true
			hs = append(hs, http.CanonicalHeaderKey(h))
		}
	}
	p.allowHeader = strings.Join(hs, ", ")
	var es []string
	for _, h := range c.ExposedHeaders {
		h = strings.TrimSpace(h)
		if !isToken(h) {
			return corsPolicy{}, fmt.Errorf("exposed header %q is not a header name", h)
		}
		es = append(es, http.CanonicalHeaderKey(h))
	}
	p.expose = strings.Join(es, ", ")
	switch {
	case c.MaxAge < 0:
		return corsPolicy{}, fmt.Errorf("max_age %d is negative", c.MaxAge)
	case c.MaxAge > 0:
		p.maxAge = strconv.Itoa(min(c.MaxAge, maxCORSAge))
	}
	return p, nil
}

// normaliseOrigin checks that o is exactly scheme://host[:port] and returns
// it lower-cased with a default port (80 for http, 443 for https) removed,
// which is how a browser serialises the Origin header.
func normaliseOrigin(o string) (string, error) {
	bad := func(why string) (string, error) { return "", fmt.Errorf("origin %q: %s", o, why) }
	if o == "*" || o == "null" {
		return bad("wildcard and null origins are not allowed; list exact origins")
	}
	u, err := url.Parse(o)
	if err != nil {
		return bad(err.Error())
	}
	switch {
	case u.Scheme == "" || u.Host == "":
		return bad("want scheme://host[:port]")
	case u.User != nil:
		return bad("user info is not allowed")
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.HasSuffix(o, "#"):
		return bad("no path, trailing slash, query or fragment is allowed")
	case strings.Contains(u.Host, "*"):
		return bad("wildcards are not allowed")
	}
	host, port := u.Hostname(), u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return bad("bad port")
		}
	}
	if strings.HasSuffix(u.Host, ":") {
		return bad("empty port")
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	n := scheme + "://" + strings.ToLower(host)
	if port != "" {
		n += ":" + port
	}
	return n, nil
}

// allows reports whether origin (as sent by a browser) is allowed.
func (p *corsPolicy) allows(origin string) bool {
	if len(p.origins) == 0 {
		return false
	}
	if p.origins[origin] {
		return true
	}
	n, err := normaliseOrigin(origin)
	return err == nil && p.origins[n]
}

// CORS applies the live cors.config (contract §10.5). Every response gets
// Vary: Origin. A request from an origin that is not allowed proceeds with no
// CORS headers, so the browser withholds the response from the page; its
// preflight (OPTIONS with Origin and Access-Control-Request-Method) is a 403
// JSON:API error. An allowed origin is echoed in Access-Control-Allow-Origin,
// with Access-Control-Allow-Credentials and Access-Control-Expose-Headers
// when configured. Its preflight is a 204 with Access-Control-Allow-Methods,
// -Headers and -Max-Age when the requested method and every requested header
// are allowed, else a 403. A preflight never reaches next.
func CORS(l *Live) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Add("Vary", "Origin")
			origin := r.Header.Get("Origin")
			preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			p := &l.load().cors
			ok := p.allows(origin)
			if !preflight {
				if ok {
					p.setOrigin(h, origin)
				}
				next.ServeHTTP(w, r)
				return
			}
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !ok {
				writeError(w, http.StatusForbidden, "CORS preflight denied", "origin "+strconv.Quote(origin)+" is not in cors.config allowed_origins")
				return
			}
			if why := p.refuse(r); why != "" {
				writeError(w, http.StatusForbidden, "CORS preflight denied", why)
				return
			}
			p.setOrigin(h, origin)
			h.Set("Access-Control-Allow-Methods", p.allowMethod)
			h.Set("Access-Control-Allow-Headers", p.allowHeader)
			if p.maxAge != "" {
				h.Set("Access-Control-Max-Age", p.maxAge)
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

// setOrigin sets the headers every response to an allowed origin carries.
func (p *corsPolicy) setOrigin(h http.Header, origin string) {
	h.Set("Access-Control-Allow-Origin", origin)
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if p.expose != "" {
		h.Set("Access-Control-Expose-Headers", p.expose)
	}
}

// refuse says why a preflight from an allowed origin is refused, or "".
func (p *corsPolicy) refuse(r *http.Request) string {
	m := strings.TrimSpace(r.Header.Get("Access-Control-Request-Method"))
	if !p.methods[m] {
		return "method " + strconv.Quote(m) + " is not allowed"
	}
	for _, line := range r.Header.Values("Access-Control-Request-Headers") {
		for _, name := range strings.Split(line, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "" && !p.headers[name] {
				return "request header " + strconv.Quote(name) + " is not allowed"
			}
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// isToken reports whether s is a non-empty HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
