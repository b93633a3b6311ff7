package auth

import (
	"net/http"
	"strings"
)

// TokenCookie is the cookie (and query parameter) that may carry a token.
const TokenCookie = "token"

// TokenFromRequest returns the bearer token of r, or "" for an anonymous
// request (contract §7.2). Sources, first non-empty wins: the Authorization
// header "Bearer <token>", the query parameter token, the cookie token. An
// Authorization header that is present but not a bearer token (e.g. Basic)
// makes the request anonymous without consulting the other sources, and
// OPTIONS requests are never authenticated.
func TokenFromRequest(r *http.Request) string {
	if r == nil || r.Method == http.MethodOptions {
		return ""
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return ""
		}
		return strings.TrimSpace(tok)
	}
	if r.URL != nil {
		if tok := r.URL.Query().Get(TokenCookie); tok != "" {
			return tok
		}
	}
	if c, err := r.Cookie(TokenCookie); err == nil {
		return c.Value
	}
	return ""
}
