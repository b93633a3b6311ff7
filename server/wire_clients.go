package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

// looksLikeJWT reports whether tok has the shape of a JWT: three dot
// separated base64url parts whose first decodes to a JSON object. Real
// clients send "Bearer null" or "Bearer undefined" before sign-in; such
// values carry no claim of identity and are treated as no token.
func looksLikeJWT(tok string) bool {
	head, rest, ok := strings.Cut(tok, ".")
	if !ok || head == "" || strings.Count(rest, ".") != 1 {
		return false
	}
	head = strings.TrimRight(head, "=")
	// Checked on every request: a usual header (under 256 characters) is
	// decoded in buffers on the stack.
	var src, dst [256]byte
	var raw []byte
	if len(head) <= len(src) {
		n, err := base64.RawURLEncoding.Decode(dst[:], src[:copy(src[:], head)])
		if err != nil {
			return false
		}
		raw = dst[:n]
	} else {
		var err error
		if raw, err = base64.RawURLEncoding.DecodeString(head); err != nil {
			return false
		}
	}
	// Validate without building the object.
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{' && json.Valid(raw)
}

// tokenFailed answers a request whose JWT failed verification. On an action
// a guest may run (signup, signin, password reset, ...) the request goes on
// as a guest, so a client holding a stale token can always sign in again;
// everywhere else it is a 401 with a Bearer challenge.
func (s *Server) tokenFailed(w http.ResponseWriter, r *http.Request, next http.Handler, detail string) {
	if typ, action, ok := actionRoute(r.URL.Path); ok {
		if _, err := s.res.CheckExecute(r.Context(), typ, action, ""); err == nil {
			next.ServeHTTP(w, r)
			return
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	httperr.Write(w, r, s.log, &resource.Error{Kind: resource.ErrUnauthenticated, Title: "invalid token", Detail: detail})
}

// actionRoute reads the type and action name of /action/{type}/{action} and
// /api/{type}/action/{action} (the router resolves them only later).
func actionRoute(path string) (typ, action string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "action":
		typ, action = parts[1], parts[2]
	case len(parts) == 4 && parts[0] == "api" && parts[2] == "action":
		typ, action = parts[1], parts[3]
	default:
		return "", "", false
	}
	return typ, action, typ != "" && action != ""
}
