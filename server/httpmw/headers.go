package httpmw

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
)

// jsonAPI is the media type of the error documents the middleware write.
const jsonAPI = "application/vnd.api+json"

// SecurityHeaders sets X-Content-Type-Options: nosniff, X-Frame-Options: DENY
// and Referrer-Policy: strict-origin-when-cross-origin on every response, so
// that no JSON body is sniffed as HTML, no page is framed, and no full URL
// (which may carry a token in its query) leaks to another site.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One backing array for the three values (Header.Set would
		// allocate one slice each); the keys are already canonical.
		vals := make([]string, 3)
		vals[0], vals[1], vals[2] = "nosniff", "DENY", "strict-origin-when-cross-origin"
		h := w.Header()
		h["X-Content-Type-Options"] = vals[0:1:1]
		h["X-Frame-Options"] = vals[1:2:2]
		h["Referrer-Policy"] = vals[2:3:3]
		next.ServeHTTP(w, r)
	})
}

// ClientIP returns the host part of r.RemoteAddr, or RemoteAddr itself when
// it has no port. It never looks at X-Forwarded-For or X-Real-IP: those are
// set by the client unless a trusted proxy rewrites them, and trusting them
// would let any caller pick its own rate-limit bucket.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeError writes a one-entry JSON:API error document in Daptin's shape.
func writeError(w http.ResponseWriter, status int, title, detail string) {
	type obj struct {
		Status string `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail,omitempty"`
	}
	body, _ := json.Marshal(struct {
		Errors []obj `json:"errors"`
	}{[]obj{{Status: strconv.Itoa(status), Title: title, Detail: detail}}})
	h := w.Header()
	h.Set("Content-Type", jsonAPI)
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
