package connector

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Credentials are the caller's secrets for one call: an OAuth2 access
// token, or fixed values (api key, username/password, custom fields).
// They never leave the package except inside the upstream request.
type Credentials struct {
	AccessToken string
	Values      map[string]any
}

// Caller makes upstream calls with a timeout and a response size cap.
type Caller struct {
	Client   *http.Client
	MaxBytes int64 // response bodies larger than this are refused
}

// Defaults of a Caller.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultMaxBytes = 10 << 20
)

// NewCaller builds a Caller; zero values take the defaults.
func NewCaller(timeout time.Duration, maxBytes int64) *Caller {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Caller{Client: &http.Client{Timeout: timeout}, MaxBytes: maxBytes}
}

// Result is an upstream answer.
type Result struct {
	Status int `json:"status"`
	Body   any `json:"body"`
}

// ErrUpstream marks failures talking to the upstream API.
var ErrUpstream = errors.New("upstream call failed")

// ErrInput marks inputs the operation cannot use.
var ErrInput = errors.New("invalid input")

// Call runs operation opID of p with input and creds.
func (c *Caller) Call(ctx context.Context, p *Provider, opID string, input map[string]any, creds Credentials) (Result, error) {
	op, ok := p.byID[opID]
	if !ok {
		return Result{}, fmt.Errorf("%w: provider %s has no operation %q", ErrInput, p.Name, opID)
	}
	req, err := p.request(ctx, op, input, creds)
	if err != nil {
		return Result{}, err
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return Result{}, fmt.Errorf("%w: %s did not answer within %s", ErrUpstream, p.Name, c.Client.Timeout)
		}
		return Result{}, fmt.Errorf("%w: %s: %v", ErrUpstream, p.Name, redact(err.Error(), creds, p.auth))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.MaxBytes+1))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s: reading the answer: %v", ErrUpstream, p.Name, err)
	}
	if int64(len(body)) > c.MaxBytes {
		return Result{}, fmt.Errorf("%w: %s answered more than %d bytes", ErrUpstream, p.Name, c.MaxBytes)
	}
	res := Result{Status: resp.StatusCode}
	var v any
	if json.Unmarshal(body, &v) == nil {
		res.Body = v
	} else {
		res.Body = string(body)
	}
	return res, nil
}

// request builds the upstream request: server and path parameters,
// query and header parameters, the JSON body from dotted body fields,
// then the authentication.
func (p *Provider) request(ctx context.Context, op *Operation, input map[string]any, creds Credentials) (*http.Request, error) {
	base := p.BaseURL
	path := op.Path
	q := url.Values{}
	hdr := http.Header{}
	for _, prm := range op.Params {
		v, ok := input[prm.Name]
		if !ok || v == nil || v == "" {
			if prm.Required {
				return nil, fmt.Errorf("%w: %s is required", ErrInput, prm.Name)
			}
			continue
		}
		s := text(v)
		switch prm.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+prm.Name+"}", url.PathEscape(s))
		case "query":
			q.Set(prm.Name, s)
		case "header":
			hdr.Set(prm.Name, s)
		}
	}
	for k, v := range input {
		base = strings.ReplaceAll(base, "{"+k+"}", text(v))
	}
	if strings.Contains(path, "{") || strings.Contains(base, "{") {
		return nil, fmt.Errorf("%w: a path parameter of %s is missing", ErrInput, op.ID)
	}
	var body io.Reader
	if len(op.BodyFields) > 0 && methodHasBody(op.Method) {
		js, err := json.Marshal(nest(op.BodyFields, input))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		body = bytes.NewReader(js)
		hdr.Set("Content-Type", "application/json")
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, base+path, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	req.Header = hdr
	req.Header.Set("Accept", "application/json")
	p.authorise(req, q, creds)
	req.URL.RawQuery = q.Encode()
	return req, nil
}

// nest builds the JSON body from dotted field names present in input.
func nest(fields []string, input map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		v, ok := input[f]
		if !ok {
			continue
		}
		parts := strings.Split(f, ".")
		m := out
		for _, part := range parts[:len(parts)-1] {
			next, ok := m[part].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[part] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}

// authorise applies the security schemes with the first value found in the
// caller's credentials, then the provider's fixed auth values.
func (p *Provider) authorise(req *http.Request, q url.Values, creds Credentials) {
	lookup := func(keys ...string) string {
		for _, src := range []map[string]any{creds.Values, p.auth} {
			for _, k := range keys {
				if v, ok := src[k]; ok && text(v) != "" {
					return text(v)
				}
			}
		}
		return ""
	}
	if creds.AccessToken != "" {
		req.Header.Set("Authorization", "Bearer "+creds.AccessToken)
	}
	if p.doc.Components != nil {
		for name, s := range p.doc.Components.SecuritySchemes {
			if s.Value == nil {
				continue
			}
			switch v := s.Value; {
			case v.Type == "apiKey":
				val := lookup(name, v.Name, "api_key", "apiKey")
				if val == "" {
					continue
				}
				switch v.In {
				case "query":
					q.Set(v.Name, val)
				case "cookie":
					req.AddCookie(&http.Cookie{Name: v.Name, Value: val})
				default:
					req.Header.Set(v.Name, val)
				}
			case v.Type == "http" && strings.EqualFold(v.Scheme, "basic"):
				user, pass := lookup("username", "user"), lookup("password")
				if user != "" {
					req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
				}
			case v.Type == "http" || v.Type == "oauth2":
				if creds.AccessToken == "" {
					if tok := lookup(name, "token", "access_token", "accessToken"); tok != "" {
						req.Header.Set("Authorization", "Bearer "+tok)
					}
				}
			}
		}
	}
	if req.Header.Get("Authorization") == "" {
		if tok := lookup("access_token", "accessToken", "token"); tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
}

// text renders an input value for a URL or header.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64, bool, int, int64, json.Number:
		return fmt.Sprint(x)
	}
	js, _ := json.Marshal(v)
	return string(js)
}

// redact removes every secret value from s.
func redact(s string, creds Credentials, auth map[string]any) string {
	secrets := []string{creds.AccessToken}
	for _, m := range []map[string]any{creds.Values, auth} {
		for _, v := range m {
			secrets = append(secrets, text(v))
		}
	}
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
