package httpmw

import (
	"strings"
	"sync"
	"testing"
)

func TestParseSettings(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		keys    map[string]string
		wantErr string
		check   func(t *testing.T, s Settings)
	}{
		{"none", nil, "", func(t *testing.T, s Settings) {
			if s.MaxConnections != 100 || !s.Gzip || len(s.RateLimit.Limits) != 0 || len(s.CORS.AllowedOrigins) != 0 {
				t.Errorf("defaults: %+v", s)
			}
		}},
		{"daptin fresh instance", map[string]string{
			"gzip.enable": "true", "limit.max_connections": "100", "limit.rate": `{"version":"1","limits":{}}`,
			"cors.config": `{"version":"1","allowed_origins":[],"allowed_methods":[],"allowed_headers":[],"exposed_headers":[],"allow_credentials":false,"max_age":0}`,
		}, "", func(t *testing.T, s Settings) {
			if s.MaxConnections != 100 || !s.Gzip {
				t.Errorf("%+v", s)
			}
		}},
		{"values", map[string]string{"gzip.enable": "false", "limit.max_connections": "7", "limit.rate": `{"limits":{"/a":3}}`,
			"cors.config": `{"allowed_origins":["https://a.example"]}`}, "", func(t *testing.T, s Settings) {
			if s.MaxConnections != 7 || s.Gzip || s.RateLimit.Limits["/a"] != 3 || s.CORS.AllowedOrigins[0] != "https://a.example" {
				t.Errorf("%+v", s)
			}
		}},
		{"bad values fall back", map[string]string{"gzip.enable": "maybe", "limit.max_connections": "-1",
			"limit.rate": `{"limits":{"/a":0}}`, "cors.config": `{"allowed_origins":["*"]}`}, "cors.config", func(t *testing.T, s Settings) {
			if s.MaxConnections != 100 || !s.Gzip || len(s.RateLimit.Limits) != 0 || len(s.CORS.AllowedOrigins) != 0 {
				t.Errorf("%+v", s)
			}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSettings(func(k string) (string, bool) { v, ok := sc.keys[k]; return v, ok })
			if sc.wantErr == "" && err != nil || sc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), sc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, sc.wantErr)
			}
			sc.check(t, s)
		})
	}
}

func TestLiveConcurrent(t *testing.T) {
	t.Parallel()
	l := NewLive(DefaultSettings())
	var zero Live
	if zero.Load().MaxConnections != DefaultMaxConnections || zero.load().conns != DefaultMaxConnections {
		t.Fatal("zero Live is not the defaults")
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				s := DefaultSettings()
				s.MaxConnections = j + 1
				l.Store(s)
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if l.Load().MaxConnections < 1 {
					t.Error("bad load")
				}
			}
		}()
	}
	wg.Wait()
}
