package httpmw

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
})

// serve sends one request from remote to h and returns the recorder.
func serve(h http.Handler, method, target, remote string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if remote != "" {
		r.RemoteAddr = remote
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRateLimitCountsAndHeaders(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(time.Unix(1795422120, 250_000_000))
	rl, err := ParseRateLimit(`{"version":"1","limits":{"/api/todo":3,"api.example/api/host":2}}`)
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.RateLimit = rl
	h := RateLimit(NewLive(s), clk.Now)(okHandler)

	scenarios := []struct {
		name, target, host, remote string
		wantStatus                 []int
		wantLimit                  string
		wantRemaining              []string
	}{
		{"default 500", "/api/world?x=1", "", "192.0.2.1:1000", []int{200, 200}, "500", []string{"499", "498"}},
		{"per path 3", "/api/todo?page=1", "", "192.0.2.2:1000", []int{200, 200, 200, 429, 429}, "3", []string{"2", "1", "0", "0", "0"}},
		{"query ignored", "/api/todo?page=2", "", "192.0.2.2:1001", []int{429}, "3", []string{"0"}},
		{"other ip own bucket", "/api/todo", "", "192.0.2.3:1000", []int{200}, "3", []string{"2"}},
		{"host key", "/api/host", "API.example:6336", "192.0.2.4:1", []int{200, 200, 429}, "2", []string{"1", "0", "0"}},
		{"host key other host", "/api/host", "other.example", "192.0.2.5:1", []int{200}, "500", []string{"499"}},
		{"ipv6 same /64", "/x", "", "[2001:db8::1]:1", []int{200}, "500", []string{"499"}},
		{"ipv6 same /64 again", "/x", "", "[2001:db8::ffff]:2", []int{200}, "500", []string{"498"}},
	}
	for _, sc := range scenarios { // sequential: they share one limiter
		for i, want := range sc.wantStatus {
			r := httptest.NewRequest(http.MethodGet, sc.target, nil)
			r.RemoteAddr = sc.remote
			if sc.host != "" {
				r.Host = sc.host
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != want {
				t.Fatalf("%s #%d: status %d, want %d", sc.name, i, w.Code, want)
			}
			hd := w.Result().Header
			if got := hd.Get("X-Ratelimit-Limit"); got != sc.wantLimit {
				t.Errorf("%s #%d: limit %q, want %q", sc.name, i, got, sc.wantLimit)
			}
			if got := hd.Get("X-Ratelimit-Remaining"); got != sc.wantRemaining[i] {
				t.Errorf("%s #%d: remaining %q, want %q", sc.name, i, got, sc.wantRemaining[i])
			}
			if got := hd.Get("X-Ratelimit-Reset"); got != "1795422121" {
				t.Errorf("%s #%d: reset %q, want 1795422121", sc.name, i, got)
			}
			if _, ok := hd["X-Ratelimit-Limit"]; !ok {
				t.Errorf("%s: header key not in canonical form X-Ratelimit-Limit: %v", sc.name, hd)
			}
		}
	}
}

func TestRateLimit429Body(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.RateLimit = RateLimitConfig{Limits: map[string]int{"/a": 1}}
	h := RateLimit(NewLive(s), nil)(okHandler)
	serve(h, "GET", "/a", "", nil)
	w := serve(h, "GET", "/a", "", nil)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d", w.Code)
	}
	const want = `{"errors":[{"status":"429","title":"Rate limit exceeded","detail":"Too many requests. Please retry after the current one-second window."}]}`
	if got := w.Body.String(); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
	for k, v := range map[string]string{"Retry-After": "1", "Content-Type": "application/vnd.api+json", "X-Ratelimit-Remaining": "0"} {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestRateLimitWindowReset(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(time.Unix(1000, 900_000_000))
	s := DefaultSettings()
	s.RateLimit = RateLimitConfig{Limits: map[string]int{"/a": 2}}
	h := RateLimit(NewLive(s), clk.Now)(okHandler)
	steps := []struct {
		advance   time.Duration
		want      int
		wantReset string
	}{
		{0, 200, "1001"},
		{0, 200, "1001"},
		{50 * time.Millisecond, 429, "1001"},
		{60 * time.Millisecond, 200, "1002"}, // 1001.01: new window
		{0, 200, "1002"},
		{0, 429, "1002"},
		{5 * time.Second, 200, "1007"},
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		w := serve(h, "GET", "/a", "", nil)
		if w.Code != st.want || w.Header().Get("X-Ratelimit-Reset") != st.wantReset {
			t.Errorf("step %d: %d reset %s, want %d reset %s", i, w.Code, w.Header().Get("X-Ratelimit-Reset"), st.want, st.wantReset)
		}
	}
}

func TestRateLimitLiveChange(t *testing.T) {
	t.Parallel()
	live := NewLive(DefaultSettings())
	h := RateLimit(live, nil)(okHandler)
	if got := serve(h, "GET", "/b", "", nil).Header().Get("X-Ratelimit-Limit"); got != "500" {
		t.Fatalf("limit %s", got)
	}
	s := live.Load()
	s.RateLimit = RateLimitConfig{Limits: map[string]int{"/b": 7}}
	live.Store(s)
	if got := serve(h, "GET", "/b", "", nil).Header().Get("X-Ratelimit-Limit"); got != "7" {
		t.Fatalf("after Store: limit %s", got)
	}
}

func TestRateLimitExempt(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.RateLimit = RateLimitConfig{Limits: map[string]int{"/ping": 1, "/api/health": 1}}
	h := RateLimit(NewLive(s), nil)(okHandler)
	for _, p := range []string{"/ping", "/api/health"} {
		for i := 0; i < 5; i++ {
			w := serve(h, "GET", p, "", nil)
			if w.Code != 200 || w.Header().Get("X-Ratelimit-Limit") != "" || w.Header().Get("X-Ratelimit-Reset") != "" {
				t.Fatalf("%s #%d: %d %v", p, i, w.Code, w.Header())
			}
		}
	}
}

func TestRateLimitBoundedMemory(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(time.Unix(5000, 0))
	rl := newRateLimiter(defaultMaxKeys)
	h := rateLimit(NewLive(DefaultSettings()), clk.Now, rl)(okHandler)
	r := httptest.NewRequest(http.MethodGet, "/api/todo", nil)
	for i := 0; i < 100_000; i++ {
		r.RemoteAddr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 1).String()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	if n := rl.len(); n > defaultMaxKeys {
		t.Fatalf("%d windows kept, cap %d", n, defaultMaxKeys)
	}
	// A second wave in a later window: stale windows go, the cap holds.
	for i := 0; i < 100_000; i++ {
		ip := netip.AddrFrom4([4]byte{11, byte(i >> 16), byte(i >> 8), byte(i)})
		rl.hit(ip, "/p"+strconv.Itoa(i%7), 5001)
	}
	if n := rl.len(); n > defaultMaxKeys {
		t.Fatalf("%d windows kept, cap %d", n, defaultMaxKeys)
	}
	// Long paths are truncated in the key.
	long := "/" + string(make([]byte, 10_000))
	if c := rl.hit(netip.Addr{}, long, 5001); c != 1 {
		t.Fatalf("count %d", c)
	}
	for k := range rl.shards[shardOf(netip.Addr{}, long[:maxKeyPath])].m {
		if len(k.path) > maxKeyPath {
			t.Fatalf("key path of %d bytes kept", len(k.path))
		}
	}
}

func TestRateLimitThroughMiddlewareManyIPs(t *testing.T) {
	t.Parallel()
	h := RateLimit(NewLive(DefaultSettings()), nil)(okHandler)
	for i := 0; i < 2000; i++ {
		remote := fmt.Sprintf("10.1.%d.%d:9", i/256, i%256)
		if w := serve(h, "GET", "/api/x", remote, nil); w.Code != 200 || w.Header().Get("X-Ratelimit-Remaining") != "499" {
			t.Fatalf("%s: %d %s", remote, w.Code, w.Header().Get("X-Ratelimit-Remaining"))
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name, js string
		ok       bool
	}{
		{"empty string", "", true},
		{"contract default", `{"version":"1","limits":{}}`, true},
		{"path and host", `{"version":"1","limits":{"/api/todo":50,"host.example/path":20}}`, true},
		{"max", `{"limits":{"/a":1000000}}`, true},
		{"zero", `{"limits":{"/a":0}}`, false},
		{"too big", `{"limits":{"/a":1000001}}`, false},
		{"no slash", `{"limits":{"api":5}}`, false},
		{"query in key", `{"limits":{"/a?b":5}}`, false},
		{"bad version", `{"version":"2","limits":{}}`, false},
		{"not json", `{`, false},
		{"string value", `{"limits":{"/a":"5"}}`, false},
		{"unknown field", `{"limit":{}}`, false},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRateLimit(sc.js)
			if (err == nil) != sc.ok {
				t.Fatalf("err = %v, want ok=%v", err, sc.ok)
			}
		})
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	scenarios := []struct{ remote, want string }{
		{"192.0.2.1:80", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:80", "2001:db8:1:2::"},
		{"[fe80::1%eth0]:80", "fe80::"},
		{"192.0.2.9", "192.0.2.9"},
		{"@", "invalid IP"},
	}
	for _, sc := range scenarios {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = sc.remote
		if got := clientAddr(r).String(); got != sc.want {
			t.Errorf("%s: %s, want %s", sc.remote, got, sc.want)
		}
	}
}
