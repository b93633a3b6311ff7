package test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

func setConfig(t *testing.T, s *testserver.Server, key, value string) {
	t.Helper()
	ctx := context.Background()
	if err := s.Srv.ConfigStore().Set(ctx, resource.ConfigBackend, key, value); err != nil {
		t.Fatal(err)
	}
	s.Srv.ReloadConfig(ctx)
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	setConfig(t, s, "limit.rate", `{"version":"1","limits":{"/api/usergroup":5}}`)
	// The limit counts fixed one-second windows: a burst that straddles a
	// window boundary (X-Ratelimit-Reset changes) proves nothing, so it is
	// tried again, up to five times, on a loaded machine.
	var last testserver.Response
	for attempt := 0; attempt < 5; attempt++ {
		var resets []string
		for i := 0; i < 6; i++ {
			last = s.Do(t, http.MethodGet, "/api/usergroup", nil, "")
			resets = append(resets, last.Header.Get("X-Ratelimit-Reset"))
			if i < 5 && last.Status != http.StatusOK && resets[i] == resets[0] {
				t.Fatalf("request %d: %d", i, last.Status)
			}
			if i == 0 && last.Header.Get("X-Ratelimit-Limit") != "5" {
				t.Errorf("X-Ratelimit-Limit %q", last.Header.Get("X-Ratelimit-Limit"))
			}
		}
		if resets[0] == resets[5] {
			break
		}
		time.Sleep(1100 * time.Millisecond) // let the window that was used up end
	}
	if last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") != "1" {
		t.Fatalf("6th request: %d, Retry-After %q", last.Status, last.Header.Get("Retry-After"))
	}
	const body = `{"errors":[{"status":"429","title":"Rate limit exceeded","detail":"Too many requests. Please retry after the current one-second window."}]}`
	if strings.TrimSpace(string(last.Body)) != body {
		t.Errorf("429 body %s", last.Body)
	}
	// Other paths keep their own (default) budget.
	if r := s.Do(t, http.MethodGet, "/api/world", nil, ""); r.Status != http.StatusOK {
		t.Errorf("other path: %d", r.Status)
	}
}

func TestSigninAttemptLimit(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	s.SignUp(t, "Ann", "ann@example.test", "ann-password")
	for i := 0; i < 10; i++ {
		r := action(t, s, "/action/user_account/signin", map[string]any{"email": "ann@example.test", "password": "wrong-password"}, "")
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.Status)
		}
	}
	r := action(t, s, "/action/user_account/signin", map[string]any{"email": "ann@example.test", "password": "ann-password"}, "")
	if r.Status != http.StatusTooManyRequests {
		t.Errorf("after 10 failures even the right password must wait: %d %s", r.Status, r.Body)
	}
}

func TestCORSAndHeaders(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, s.URL+"/api/world", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PATCH")
		req.Header.Set("Access-Control-Request-Headers", "Authorization, Content-Type")
		resp, err := s.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := preflight("https://app.example.test"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("preflight with default (deny) config: %d", resp.StatusCode)
	}
	setConfig(t, s, "cors.config", `{"version":"1","allowed_origins":["https://app.example.test"],"allowed_methods":[],"allowed_headers":[],"exposed_headers":[],"allow_credentials":true,"max_age":600}`)
	resp := preflight("https://app.example.test")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.test" ||
		resp.Header.Get("Access-Control-Allow-Credentials") != "true" || resp.Header.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("allowed preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := preflight("https://evil.example.test"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("preflight from another origin: %d", resp.StatusCode)
	}
	r := s.Do(t, http.MethodGet, "/ping", nil, "")
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if r.Header.Get(k) != v {
			t.Errorf("%s = %q", k, r.Header.Get(k))
		}
	}
	// gzip when the client asks for it.
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/world?page[size]=50", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	gz, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Body.Close()
	raw, _ := io.ReadAll(gz.Body)
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", gz.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.HasPrefix(plain, []byte(`{"links":`)) {
		t.Errorf("decompressed body %.80s", plain)
	}
	setConfig(t, s, "gzip.enable", "false")
	gz2, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	gz2.Body.Close()
	if gz2.Header.Get("Content-Encoding") == "gzip" {
		t.Error("gzip.enable=false still compresses")
	}
}
