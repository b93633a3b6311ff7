package site

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// route is one url_pattern of a template row.
type route struct {
	name string
	segs []string // "/blog/:slug" → ["blog", ":slug"]; "*" matches the rest
}

// templates holds the url_pattern routes, reloaded after any template change.
type templates struct {
	mu     sync.Mutex
	fresh  bool
	routes []route
}

func (t *templates) invalidate() {
	t.mu.Lock()
	t.fresh = false
	t.mu.Unlock()
}

func (s *Sites) routes(ctx context.Context) []route {
	s.tpl.mu.Lock()
	defer s.tpl.mu.Unlock()
	if s.tpl.fresh {
		return s.tpl.routes
	}
	sys := auth.WithPrincipal(ctx, auth.System())
	var out []route
	p, err := s.d.Res().List(sys, actions.TemplateTable, resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		s.d.Log.WarnContext(ctx, "templates not loaded", "err", err)
		return nil
	}
	for _, r := range p.Rows {
		name, _ := r.Attrs["name"].(string)
		var patterns []string
		switch v := r.Attrs["url_pattern"].(type) {
		case string:
			_ = json.Unmarshal([]byte(v), &patterns)
		case []any:
			for _, x := range v {
				if str, ok := x.(string); ok {
					patterns = append(patterns, str)
				}
			}
		}
		for _, pat := range patterns {
			out = append(out, route{name: name, segs: strings.Split(strings.Trim(pat, "/"), "/")})
		}
	}
	s.tpl.routes, s.tpl.fresh = out, true
	return out
}

// match returns the template and path parameters for a request path.
func match(routes []route, p string) (string, map[string]string, bool) {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for _, r := range routes {
		params := map[string]string{}
		ok := true
		for i, rs := range r.segs {
			if rs == "*" {
				params["*"] = strings.Join(segs[i:], "/")
				break
			}
			if i >= len(segs) {
				ok = false
				break
			}
			switch {
			case strings.HasPrefix(rs, ":"):
				params[rs[1:]] = segs[i]
			case strings.HasPrefix(rs, "{") && strings.HasSuffix(rs, "}"):
				params[rs[1:len(rs)-1]] = segs[i]
			case rs != segs[i]:
				ok = false
			}
			if !ok {
				break
			}
			if i == len(r.segs)-1 && len(segs) != len(r.segs) {
				ok = false
			}
		}
		if ok {
			return r.name, params, true
		}
	}
	return "", nil, false
}

// serveTemplate renders a matched template: query and path parameters are
// its data, action_config's action runs first with the caller's rights and
// its responses are exposed as actionResponses and by ResponseType.
func (s *Sites) serveTemplate(w http.ResponseWriter, r *http.Request, name string, params map[string]string) {
	data := map[string]any{}
	query := map[string]any{}
	for k, vs := range r.URL.Query() {
		query[k] = vs
		data[k+"[]"] = vs
		data[k] = vs[0]
		if len(vs) > 1 {
			data[k] = vs
		}
	}
	data["query"] = query
	for k, v := range params {
		data[k] = v
	}
	if s.d.Exec != nil && s.d.ActionOf != nil {
		if typ, act, attrs, ok := s.d.ActionOf(r.Context(), name); ok {
			for k, v := range params {
				attrs[k] = v
			}
			resps, err := s.d.Exec(r.Context(), typ, act, attrs)
			if err != nil {
				status, _ := actions.StatusAndBody(err)
				http.Error(w, err.Error(), status)
				return
			}
			data["actionResponses"] = resps
			for _, rs := range resps {
				data[rs.ResponseType] = rs.Attributes
			}
		}
	}
	out, err := s.d.Render(r.Context(), name, data)
	if err != nil {
		status, _ := actions.StatusAndBody(err)
		http.Error(w, err.Error(), status)
		return
	}
	for k, v := range out.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", out.MimeType)
	if cc := cacheControl(out.Cache); cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
	_, _ = w.Write(out.Body)
}

// cacheControl builds Cache-Control from a template's cache_config.
func cacheControl(c map[string]any) string {
	if len(c) == 0 {
		return ""
	}
	flag := func(k string) bool { b, _ := c[k].(bool); return b }
	switch {
	case flag("no_store"):
		return "no-store"
	case flag("no_cache"):
		return "no-cache"
	}
	if en, ok := c["enable"].(bool); ok && !en {
		return "no-cache"
	}
	scope := "public"
	if flag("private") {
		scope = "private"
	}
	if n, ok := c["max_age"].(float64); ok && n > 0 {
		return scope + ", max-age=" + strconv.Itoa(int(n))
	}
	return ""
}
