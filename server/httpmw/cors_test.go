package httpmw

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func corsHandler(t *testing.T, js string) (http.Handler, *atomic.Int32) {
	t.Helper()
	c, err := ParseCORS(js)
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.CORS = c
	var calls atomic.Int32
	return CORS(NewLive(s))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		okHandler.ServeHTTP(w, r)
	})), &calls
}

func TestCORS(t *testing.T) {
	t.Parallel()
	const allowJS = `{"version":"1","allowed_origins":["https://app.example","http://localhost:5173"],
		"allowed_methods":[],"allowed_headers":[],"exposed_headers":["x-ratelimit-remaining"],
		"allow_credentials":true,"max_age":100000}`
	const narrowJS = `{"allowed_origins":["https://app.example"],"allowed_methods":["get","POST"],"allowed_headers":["Content-Type","X-Custom"],"max_age":0}`
	const daptinDefault = `{"version":"1","allowed_origins":[],"allowed_methods":[],"allowed_headers":[],"exposed_headers":[],"allow_credentials":false,"max_age":0}`
	pre := func(origin, method, headers string) map[string]string {
		m := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			m["Access-Control-Request-Headers"] = headers
		}
		return m
	}
	scenarios := []struct {
		name       string
		config     string
		method     string
		hdr        map[string]string
		wantStatus int
		wantNext   bool
		want       map[string]string // "" means header must be absent
	}{
		{"no origin", daptinDefault, "GET", nil, 200, true,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"default denies simple", daptinDefault, "GET", map[string]string{"Origin": "http://example.test"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": ""}},
		{"default denies preflight", daptinDefault, "OPTIONS", pre("http://example.test", "POST", ""), 403, false,
			map[string]string{"Access-Control-Allow-Origin": "", "Content-Type": "application/vnd.api+json"}},
		{"allowed simple", allowJS, "GET", map[string]string{"Origin": "https://app.example"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Expose-Headers": "X-Ratelimit-Remaining", "Access-Control-Allow-Methods": ""}},
		{"allowed origin other port denied", allowJS, "GET", map[string]string{"Origin": "http://localhost:5174"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"allowed preflight default methods", allowJS, "OPTIONS", pre("https://app.example", "PATCH", "content-type, Authorization"), 204, false,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE",
				"Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Language, Content-Type, Authorization",
				"Access-Control-Max-Age":       "86400"}},
		{"preflight unsupported method", allowJS, "OPTIONS", pre("https://app.example", "TRACE", ""), 403, false,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"preflight header not allowed", allowJS, "OPTIONS", pre("https://app.example", "GET", "x-secret"), 403, false,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"narrow preflight ok", narrowJS, "OPTIONS", pre("https://app.example", "POST", "x-custom"), 204, false,
			map[string]string{"Access-Control-Allow-Methods": "GET, POST", "Access-Control-Allow-Headers": "Content-Type, X-Custom",
				"Access-Control-Max-Age": "", "Access-Control-Allow-Credentials": ""}},
		{"narrow method refused", narrowJS, "OPTIONS", pre("https://app.example", "DELETE", ""), 403, false, nil},
		{"plain OPTIONS is not a preflight", narrowJS, "OPTIONS", map[string]string{"Origin": "https://app.example"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example"}},
		{"origin case-insensitive", narrowJS, "GET", map[string]string{"Origin": "HTTPS://APP.example"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "HTTPS://APP.example"}},
		{"null origin denied", narrowJS, "GET", map[string]string{"Origin": "null"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": ""}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			h, calls := corsHandler(t, sc.config)
			w := serve(h, sc.method, "/api/todo", "", sc.hdr)
			if w.Code != sc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", w.Code, sc.wantStatus, w.Body)
			}
			if got := calls.Load() == 1; got != sc.wantNext {
				t.Fatalf("next called: %v, want %v", got, sc.wantNext)
			}
			if !contains(w.Header().Values("Vary"), "Origin") {
				t.Errorf("no Vary: Origin: %v", w.Header())
			}
			for k, v := range sc.want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if w.Code == 403 {
				var doc struct {
					Errors []struct{ Status, Title string } `json:"errors"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || len(doc.Errors) != 1 || doc.Errors[0].Status != "403" {
					t.Errorf("403 body %q: %v", w.Body, err)
				}
			}
		})
	}
}

func TestParseCORS(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, js string
		ok       bool
	}{
		{"empty", "", true},
		{"contract default", `{"version":"1","allowed_origins":[],"allowed_methods":[],"allowed_headers":[],"exposed_headers":[],"allow_credentials":false,"max_age":0}`, true},
		{"origins with port", `{"allowed_origins":["http://localhost:8080","https://a.example","http://[::1]:3000"]}`, true},
		{"star", `{"allowed_origins":["*"]}`, false},
		{"null", `{"allowed_origins":["null"]}`, false},
		{"trailing slash", `{"allowed_origins":["https://a.example/"]}`, false},
		{"path", `{"allowed_origins":["https://a.example/app"]}`, false},
		{"no scheme", `{"allowed_origins":["a.example"]}`, false},
		{"wildcard host", `{"allowed_origins":["https://*.a.example"]}`, false},
		{"query", `{"allowed_origins":["https://a.example?x"]}`, false},
		{"user info", `{"allowed_origins":["https://u@a.example"]}`, false},
		{"bad port", `{"allowed_origins":["https://a.example:99999"]}`, false},
		{"credentials without origin", `{"allow_credentials":true}`, false},
		{"credentials with origin", `{"allowed_origins":["https://a.example"],"allow_credentials":true}`, true},
		{"bad method", `{"allowed_origins":["https://a.example"],"allowed_methods":["TRACE"]}`, false},
		{"star header", `{"allowed_origins":["https://a.example"],"allowed_headers":["*"]}`, false},
		{"star exposed", `{"exposed_headers":["*"]}`, false},
		{"negative max_age", `{"max_age":-1}`, false},
		{"large max_age capped", `{"max_age":999999}`, true},
		{"bad version", `{"version":"9"}`, false},
		{"unknown key", `{"allowed_origin":["https://a.example"]}`, false},
		{"not json", `nope`, false},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseCORS(sc.js)
			if (err == nil) != sc.ok {
				t.Fatalf("err = %v, want ok=%v", err, sc.ok)
			}
			if err != nil && len(c.AllowedOrigins) != 0 {
				t.Fatalf("invalid config returned origins %v", c.AllowedOrigins)
			}
		})
	}
}

func TestCORSInvalidConfigDeniesAll(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	// Stored without ParseCORS: the wildcard makes it invalid, so Store denies everything.
	s.CORS = CORSConfig{AllowedOrigins: []string{"https://a.example", "*"}}
	h := CORS(NewLive(s))(okHandler)
	w := serve(h, "GET", "/", "", map[string]string{"Origin": "https://a.example"})
	if w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("invalid config allowed an origin: %v", w.Header())
	}
	w = serve(h, "OPTIONS", "/", "", map[string]string{"Origin": "https://a.example", "Access-Control-Request-Method": "GET"})
	if w.Code != http.StatusForbidden {
		t.Fatalf("preflight %d", w.Code)
	}
	if !strings.Contains(w.Body.String(), `"status":"403"`) {
		t.Fatalf("body %s", w.Body)
	}
}
