package httpmw

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

// Defaults used when a _config key is missing or a Settings field is unset.
const (
	DefaultRateLimit      = 500 // requests per second per (IP, path)
	DefaultMaxConnections = 100 // in-flight requests for the whole server
	maxRateLimit          = 1_000_000
)

// Settings are the live values of the middleware's _config keys. A Live
// holds one; every middleware reads it per request, so a Store takes effect
// on the next request.
type Settings struct {
	RateLimit      RateLimitConfig // limit.rate
	MaxConnections int             // limit.max_connections; <= 0 means DefaultMaxConnections
	CORS           CORSConfig      // cors.config
	Gzip           bool            // gzip.enable
}

// DefaultSettings returns the values of a fresh Daptin instance: no per-path
// rate limits (so 500 req/s everywhere), 100 connections, CORS denying every
// origin, gzip on.
func DefaultSettings() Settings {
	return Settings{MaxConnections: DefaultMaxConnections, Gzip: true}
}

// ParseSettings reads the four _config keys through lookup (which reports
// whether a key exists) and returns the Settings they describe. A missing key
// keeps its default. A bad value is reported in the joined error and replaced
// by the safe choice: the default for limit.rate, limit.max_connections and
// gzip.enable, and a CORS config that denies every origin for cors.config.
// The returned Settings are usable even when the error is not nil.
func ParseSettings(lookup func(name string) (string, bool)) (Settings, error) {
	s := DefaultSettings()
	var errs []error
	if v, ok := lookup("limit.rate"); ok {
		rl, err := ParseRateLimit(v)
		if err != nil {
			errs = append(errs, err)
		}
		s.RateLimit = rl
	}
	if v, ok := lookup("limit.max_connections"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("limit.max_connections: %q is not a positive integer", v))
		} else {
			s.MaxConnections = n
		}
	}
	if v, ok := lookup("cors.config"); ok {
		c, err := ParseCORS(v)
		if err != nil {
			errs = append(errs, err)
		}
		s.CORS = c
	}
	if v, ok := lookup("gzip.enable"); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("gzip.enable: %q is not a boolean", v))
		} else {
			s.Gzip = b
		}
	}
	return s, errors.Join(errs...)
}

// RateLimitConfig is the parsed limit.rate value,
// {"version":"1","limits":{"/api/todo":50,"host.example/path":20}}. A key is
// either a path ("/api/todo") or a host followed by a path
// ("host.example/path", "host.example:6336/path"); the value is the number of
// requests allowed per second per client IP on that path.
type RateLimitConfig struct {
	Version string         `json:"version"`
	Limits  map[string]int `json:"limits"`
}

// ParseRateLimit parses and validates a limit.rate value. An empty string is
// the default (no per-path limits). Keys must be "/path" or "host/path" and
// values 1..1,000,000; anything else is an error and the zero config is
// returned.
func ParseRateLimit(js string) (RateLimitConfig, error) {
	var c RateLimitConfig
	if strings.TrimSpace(js) == "" {
		return c, nil
	}
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return RateLimitConfig{}, fmt.Errorf("limit.rate: %w", err)
	}
	if c.Version != "" && c.Version != "1" {
		return RateLimitConfig{}, fmt.Errorf("limit.rate: unsupported version %q", c.Version)
	}
	for k, v := range c.Limits {
		if v < 1 || v > maxRateLimit {
			return RateLimitConfig{}, fmt.Errorf("limit.rate: limit for %q is %d, want 1..%d", k, v, maxRateLimit)
		}
		if i := strings.IndexByte(k, '/'); i < 0 || strings.ContainsAny(k, "?# \t") {
			return RateLimitConfig{}, fmt.Errorf("limit.rate: key %q is not \"/path\" or \"host/path\"", k)
		}
	}
	return c, nil
}

// rateTable is a RateLimitConfig split for lookups without allocation.
type rateTable struct {
	paths map[string]int // "/api/todo"
	hosts map[string]int // "host.example/path", host lower-cased
}

func compileRate(c RateLimitConfig) rateTable {
	var t rateTable
	for k, v := range c.Limits {
		if v < 1 || v > maxRateLimit {
			continue
		}
		i := strings.IndexByte(k, '/')
		switch {
		case i == 0:
			if t.paths == nil {
				t.paths = map[string]int{}
			}
			t.paths[k] = v
		case i > 0:
			if t.hosts == nil {
				t.hosts = map[string]int{}
			}
			t.hosts[strings.ToLower(k[:i])+k[i:]] = v
		}
	}
	return t
}

// limit returns the per-second limit for a request to host and path.
func (t *rateTable) limit(host, path string) int {
	if t.hosts != nil && host != "" {
		h := strings.ToLower(host)
		if v, ok := t.hosts[h+path]; ok {
			return v
		}
		if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.HasSuffix(h, "]") {
			if v, ok := t.hosts[h[:i]+path]; ok {
				return v
			}
		}
	}
	if v, ok := t.paths[path]; ok {
		return v
	}
	return DefaultRateLimit
}

// snapshot is what a Live holds: the Settings as given plus the forms the
// middleware use on every request.
type snapshot struct {
	s     Settings
	rate  rateTable
	cors  corsPolicy
	conns int
}

// Live holds the current Settings behind an atomic pointer. It is safe for
// concurrent use; a Load never blocks a Store.
type Live struct {
	p atomic.Pointer[snapshot]
}

// NewLive returns a Live holding s.
func NewLive(s Settings) *Live {
	l := &Live{}
	l.Store(s)
	return l
}

// Store replaces the settings; the next request sees them. A CORS config
// that fails validation (see ParseCORS) is stored as "deny every origin".
func (l *Live) Store(s Settings) {
	snap := &snapshot{s: s, rate: compileRate(s.RateLimit), cors: compileCORS(s.CORS), conns: s.MaxConnections}
	if snap.conns <= 0 {
		snap.conns = DefaultMaxConnections
	}
	l.p.Store(snap)
}

// Load returns the current settings.
func (l *Live) Load() Settings {
	return l.load().s
}

func (l *Live) load() *snapshot {
	if s := l.p.Load(); s != nil {
		return s
	}
	// A zero Live (not made by NewLive) behaves as the defaults.
	l.p.CompareAndSwap(nil, &snapshot{s: DefaultSettings(), conns: DefaultMaxConnections})
	return l.p.Load()
}
