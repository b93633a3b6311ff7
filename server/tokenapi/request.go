package tokenapi

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
)

// maxRequestBytes limits a /token request body.
const maxRequestBytes = 64 << 10

// request is a parsed /token request.
type request struct {
	GrantType    string
	ClientID     string
	ClientSecret string
	Scopes       []string // as asked, upper-cased; nil means every granted scope
	Sub, Email   string   // the user to impersonate
	Impersonate  bool     // the request carried claims
}

// scopeList decodes either a JSON array of scope names or one string of
// names separated by spaces or commas.
type scopeList []string

// UnmarshalJSON accepts ["A","B"], "A B" and "A,B".
func (s *scopeList) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*s = list
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return errors.New("scopes must be a list of names or one string of names")
	}
	*s = splitScopes(one)
	return nil
}

// jsonRequest is the JSON body of a /token request.
type jsonRequest struct {
	GrantType    string          `json:"grant_type"`
	ClientID     string          `json:"client_id"`
	ClientSecret string          `json:"client_secret"`
	Scopes       scopeList       `json:"scopes"`
	Scope        scopeList       `json:"scope"`
	Claims       json.RawMessage `json:"claims"`
}

// parseRequest reads a JSON or form-encoded /token request. The client
// id and secret may instead come in an HTTP Basic Authorization header.
func parseRequest(w http.ResponseWriter, r *http.Request) (request, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var req request
	var claims []byte
	switch {
	case mt == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return request{}, bodyError(err)
		}
		f := r.PostForm
		req.GrantType, req.ClientID, req.ClientSecret = f.Get("grant_type"), f.Get("client_id"), f.Get("client_secret")
		for _, v := range append(f["scopes"], f["scope"]...) {
			req.Scopes = append(req.Scopes, splitScopes(v)...)
		}
		if c := f.Get("claims"); c != "" {
			claims = []byte(c)
		}
	case mt == "" || mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var jr jsonRequest
		if err := json.NewDecoder(r.Body).Decode(&jr); err != nil {
			return request{}, bodyError(err)
		}
		req.GrantType, req.ClientID, req.ClientSecret = jr.GrantType, jr.ClientID, jr.ClientSecret
		req.Scopes = append(append(req.Scopes, jr.Scopes...), jr.Scope...)
		if len(jr.Claims) > 0 && string(jr.Claims) != "null" {
			claims = jr.Claims
		}
	default:
		return request{}, &tokenError{Status: http.StatusUnsupportedMediaType, Code: codeInvalidRequest,
			Description: "send application/json or application/x-www-form-urlencoded"}
	}
	if err := basicCredentials(r, &req); err != nil {
		return request{}, err
	}
	req.Scopes = normalizeScopes(req.Scopes)
	if claims != nil {
		if err := parseClaims(claims, &req); err != nil {
			return request{}, err
		}
	}
	return req, nil
}

// basicCredentials takes the client id and secret from HTTP Basic auth
// when the body has none.
func basicCredentials(r *http.Request, req *request) error {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return nil
	}
	if req.ClientID != "" && req.ClientID != id {
		return invalidRequest("the client id of the Authorization header and of the body differ")
	}
	if req.ClientID == "" {
		req.ClientID, req.ClientSecret = id, secret
	}
	return nil
}

// parseClaims reads the impersonation claims: sub (a user's reference id)
// or email; name is accepted and ignored (the user's own name is used).
func parseClaims(raw []byte, req *request) error {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return invalidRequest("claims must be a JSON object such as {\"sub\": \"<user id>\"} or {\"email\": \"...\"}")
	}
	for k, v := range m {
		s, ok := v.(string)
		if !ok && v != nil {
			return invalidRequest("claim " + k + " must be a string")
		}
		switch k {
		case "sub":
			req.Sub = strings.TrimSpace(s)
		case "email":
			req.Email = strings.TrimSpace(s)
		case "name":
		default:
			return invalidRequest("claim " + k + " is not supported; name the user by sub or email")
		}
	}
	if req.Sub == "" && req.Email == "" {
		return invalidRequest("claims must name a user by sub (user id) or email")
	}
	req.Impersonate = true
	return nil
}

// bodyError turns a body read or decode failure into a token error.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &tokenError{Status: http.StatusRequestEntityTooLarge, Code: codeInvalidRequest, Description: "the request body is too large"}
	}
	return invalidRequest("the request body is not valid: " + err.Error())
}

// splitScopes splits a list of scope names separated by spaces or commas.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// normalizeScopes upper-cases names and drops blanks and repeats, keeping
// the first-seen order.
func normalizeScopes(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
