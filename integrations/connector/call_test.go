package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// callSpec has one operation per way of passing an input and one
// security scheme per auth kind (filled with the server URL).
const callSpec = `openapi: 3.0.3
info: {title: Calls, version: "1"}
servers: [{url: "%s"}]
components:
  securitySchemes:
    %s
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses: {"200": {description: ok}}
  /items:
    post:
      operationId: addItem
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string}
                owner: {type: object, properties: {email: {type: string}, age: {type: integer}}}
      responses: {"201": {description: created}}
  /text:
    get:
      operationId: text
      responses: {"200": {description: ok}}
`

// seen is what the fake upstream received.
type seen struct {
	method, path, query, auth, key, cookie, trace, ctype string
	body                                                 map[string]any
}

func upstream(t *testing.T) (*httptest.Server, *seen) {
	t.Helper()
	var s seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s = seen{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, auth: r.Header.Get("Authorization"),
			key: r.Header.Get("X-Key"), trace: r.Header.Get("X-Trace"), ctype: r.Header.Get("Content-Type")}
		if c, err := r.Cookie("sid"); err == nil {
			s.cookie = c.Value
		}
		s.body = nil
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			_ = json.Unmarshal(b, &s.body)
		}
		if r.URL.Path == "/text" {
			_, _ = w.Write([]byte("plain words"))
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &s
}

func provider(t *testing.T, url, schemes, authType string, auth map[string]any) *Provider {
	t.Helper()
	if schemes == "" {
		schemes = "{}"
	}
	p, err := NewProvider(context.Background(), "calls", "ref1", authType, []byte(fmt.Sprintf(callSpec, url, schemes)), auth)
	if err != nil {
		t.Fatalf("NewProvider: %v", err)
	}
	return p
}

func TestCallPlacesInputs(t *testing.T) {
	srv, got := upstream(t)
	p := provider(t, srv.URL, "", AuthNone, nil)
	c := NewCaller(time.Second, 1<<20)
	tests := []struct {
		name  string
		op    string
		input map[string]any
		check func() string
	}{
		{"path, query and header", "getItem", map[string]any{"id": "a b", "limit": float64(5), "X-Trace": "t1"}, func() string {
			if got.path != "/items/a b" || got.query != "limit=5" || got.trace != "t1" || got.method != http.MethodGet {
				return fmt.Sprintf("%+v", *got)
			}
			return ""
		}},
		{"optional inputs left out", "getItem", map[string]any{"id": "7", "limit": ""}, func() string {
			if got.path != "/items/7" || got.query != "" {
				return fmt.Sprintf("%+v", *got)
			}
			return ""
		}},
		{"dotted body fields nest", "addItem", map[string]any{"name": "n", "owner.email": "e@x", "owner.age": float64(3), "stray": "x"}, func() string {
			owner, _ := got.body["owner"].(map[string]any)
			if got.method != http.MethodPost || got.body["name"] != "n" || owner["email"] != "e@x" || owner["age"] != float64(3) ||
				got.body["stray"] != nil || got.ctype != "application/json" {
				return fmt.Sprintf("%+v", *got)
			}
			return ""
		}},
	}
	for _, tc := range tests {
		res, err := c.Call(context.Background(), p, tc.op, tc.input, Credentials{})
		if err != nil || res.Status != http.StatusOK {
			t.Errorf("%s: %v %+v", tc.name, err, res)
			continue
		}
		if msg := tc.check(); msg != "" {
			t.Errorf("%s: upstream saw %s", tc.name, msg)
		}
	}
	res, err := c.Call(context.Background(), p, "text", nil, Credentials{})
	if err != nil || res.Body != "plain words" {
		t.Errorf("a non-JSON answer is kept as text: %v %#v", err, res)
	}
}

func TestCallRefusesBadInput(t *testing.T) {
	p := provider(t, "http://127.0.0.1:9", "", AuthNone, nil)
	c := NewCaller(time.Second, 1<<20)
	for name, tc := range map[string]struct {
		op    string
		input map[string]any
		want  string
	}{
		"missing required":   {"getItem", map[string]any{}, "id is required"},
		"empty required":     {"getItem", map[string]any{"id": ""}, "id is required"},
		"unknown operation":  {"nope", nil, "no operation"},
		"nil required value": {"getItem", map[string]any{"id": nil}, "id is required"},
	} {
		_, err := c.Call(context.Background(), p, tc.op, tc.input, Credentials{})
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestCallAuthorises(t *testing.T) {
	srv, got := upstream(t)
	tests := []struct {
		name    string
		schemes string
		auth    map[string]any
		creds   Credentials
		want    func(s *seen) bool
	}{
		{"api key in header from the auth spec", `K: {type: apiKey, in: header, name: X-Key}`, map[string]any{"X-Key": "fixed"}, Credentials{},
			func(s *seen) bool { return s.key == "fixed" }},
		{"api key from the caller wins", `K: {type: apiKey, in: header, name: X-Key}`, map[string]any{"X-Key": "fixed"},
			Credentials{Values: map[string]any{"api_key": "mine"}}, func(s *seen) bool { return s.key == "mine" }},
		{"api key in query", `K: {type: apiKey, in: query, name: key}`, nil, Credentials{Values: map[string]any{"key": "q1"}},
			func(s *seen) bool { return strings.Contains(s.query, "key=q1") }},
		{"api key in cookie", `K: {type: apiKey, in: cookie, name: sid}`, nil, Credentials{Values: map[string]any{"sid": "c1"}},
			func(s *seen) bool { return s.cookie == "c1" }},
		{"basic", `B: {type: http, scheme: basic}`, nil, Credentials{Values: map[string]any{"username": "u", "password": "p"}},
			func(s *seen) bool { return s.auth == "Basic dTpw" }},
		{"bearer scheme from values", `H: {type: http, scheme: bearer}`, nil, Credentials{Values: map[string]any{"token": "tv"}},
			func(s *seen) bool { return s.auth == "Bearer tv" }},
		{"oauth access token", `O: {type: oauth2, flows: {clientCredentials: {tokenUrl: "http://x/t", scopes: {}}}}`, nil,
			Credentials{AccessToken: "at"}, func(s *seen) bool { return s.auth == "Bearer at" }},
		{"no scheme: access_token value as bearer", "", nil, Credentials{Values: map[string]any{"access_token": "v2"}},
			func(s *seen) bool { return s.auth == "Bearer v2" }},
		{"nothing given: no header", `K: {type: apiKey, in: header, name: X-Key}`, nil, Credentials{},
			func(s *seen) bool { return s.key == "" && s.auth == "" }},
	}
	for _, tc := range tests {
		p := provider(t, srv.URL, tc.schemes, AuthNone, tc.auth)
		if _, err := NewCaller(time.Second, 1<<20).Call(context.Background(), p, "text", nil, tc.creds); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !tc.want(got) {
			t.Errorf("%s: upstream saw %+v", tc.name, *got)
		}
	}
}

func TestCallBoundsTheUpstream(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/text" {
			select {
			case <-stop:
			case <-r.Context().Done():
			}
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 4096)))
	}))
	defer srv.Close()
	defer close(stop)
	p := provider(t, srv.URL, "", AuthNone, nil)
	_, err := NewCaller(100*time.Millisecond, 1<<20).Call(context.Background(), p, "text", nil, Credentials{})
	if !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("hanging upstream: %v", err)
	}
	_, err = NewCaller(time.Second, 1024).Call(context.Background(), p, "getItem", map[string]any{"id": "1"}, Credentials{})
	if !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "more than 1024 bytes") {
		t.Errorf("oversized answer: %v", err)
	}
	dead := provider(t, "http://127.0.0.1:1", "", AuthNone, nil)
	_, err = NewCaller(time.Second, 1024).Call(context.Background(), dead, "getItem", map[string]any{"id": "1"}, Credentials{AccessToken: "sekret-token"})
	if !errors.Is(err, ErrUpstream) || strings.Contains(err.Error(), "sekret-token") {
		t.Errorf("unreachable upstream: %v", err)
	}
}

func TestNewCallerDefaults(t *testing.T) {
	c := NewCaller(0, 0)
	if c.Client.Timeout != DefaultTimeout || c.MaxBytes != DefaultMaxBytes {
		t.Errorf("defaults: %v %d", c.Client.Timeout, c.MaxBytes)
	}
}

func TestTextAndRedact(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"s", "s"}, {nil, ""}, {float64(2.5), "2.5"}, {true, "true"}, {int64(7), "7"}, {[]any{"a", 1.0}, `["a",1]`}, {map[string]any{"k": "v"}, `{"k":"v"}`},
	} {
		if got := text(tc.in); got != tc.want {
			t.Errorf("text(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := redact("token abcd1234 and key k-99999 and x", Credentials{AccessToken: "abcd1234", Values: map[string]any{"k": "k-99999"}}, map[string]any{"short": "x"})
	if got != "token [redacted] and key [redacted] and x" {
		t.Errorf("redact = %q", got)
	}
}
