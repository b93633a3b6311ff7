package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/server/httperr"
)

func TestNormalizeAddr(t *testing.T) {
	t.Parallel()
	cases := map[string]string{"8080": ":8080", " 8080 ": ":8080", ":9000": ":9000", "localhost:1": "localhost:1", "": ""}
	for in, want := range cases {
		if got := NormalizeAddr(in); got != want {
			t.Errorf("NormalizeAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"empty port", func(c *Config) { c.HTTP.Addr = "" }, []string{"-port is empty"}},
		{"bad port", func(c *Config) { c.HTTP.Addr = ":70000" }, []string{`-port ":70000": bad port`}},
		{"no host:port", func(c *Config) { c.HTTP.HTTPSAddr = "nope" }, []string{`-https_port "nope"`}},
		{"empty https is fine", func(c *Config) { c.HTTP.HTTPSAddr = "" }, nil},
		{"db type", func(c *Config) { c.DB.Type = "oracle" }, []string{`-db_type "oracle"`}},
		{"dsn", func(c *Config) { c.DB.DSN = "" }, []string{"-db_connection_string is empty"}},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, []string{`-log_level "loud"`}},
		{"body", func(c *Config) { c.HTTP.MaxBodyBytes = 0 }, []string{"max body size"}},
		{"every problem at once", func(c *Config) { c.DB.DSN, c.LogLevel = "", "x" }, []string{"-db_connection_string", "-log_level"}},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		c.change(&cfg)
		err := cfg.Validate()
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestActionAttributes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, url, body string
		limit           int64
		want            map[string]any
		status          int
	}{
		{"json with attributes", "/action/x/y", `{"attributes":{"a":1,"b":"x"},"c":true}`, 1000,
			map[string]any{"a": 1.0, "b": "x", "c": true}, 0},
		{"attributes win over top level", "/action/x/y", `{"a":"top","attributes":{"a":"inner"}}`, 1000,
			map[string]any{"a": "inner"}, 0},
		{"form", "/action/x/y", "a=1&b=2&b=3", 1000, map[string]any{"a": "1", "b": []any{"2", "3"}}, 0},
		{"query on top", "/action/x/y?a=q", `{"attributes":{"a":"body"}}`, 1000, map[string]any{"a": "q"}, 0},
		{"empty", "/action/x/y", "  ", 1000, map[string]any{}, 0},
		{"bad json", "/action/x/y", `{"a":`, 1000, nil, http.StatusBadRequest},
		{"too large", "/action/x/y", `{"a":"` + strings.Repeat("x", 100) + `"}`, 10, nil, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, c.url, strings.NewReader(c.body))
		got, err := actionAttributes(r, c.limit)
		if c.status != 0 {
			if status, _ := actions.StatusAndBody(err); err == nil || status != c.status {
				t.Errorf("%s: err %v, want status %d", c.name, err, c.status)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %#v, %v; want %#v", c.name, got, err, c.want)
		}
	}
}

func TestReadTrackStart(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		typ, ref   string
		bad        bool
	}{
		{"ok", `{"typeName":" ticket ","referenceId":"r1"}`, "ticket", "r1", false},
		{"missing ref", `{"typeName":"ticket"}`, "", "", true},
		{"not json", `nope`, "", "", true},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/track/start/x", strings.NewReader(c.body))
		got, err := readTrackStart(r, 1000)
		var he *httperr.Error
		if c.bad != (err != nil) || (c.bad && !errors.As(err, &he)) {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		if !c.bad && (got.TypeName != c.typ || got.ReferenceID != c.ref) {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}
