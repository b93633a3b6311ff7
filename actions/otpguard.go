package actions

import (
	"net/http"
	"sync"
	"time"
)

// OTP guard limits of contract core.md §7.4.
const (
	// OTPAccountFailures is how many wrong codes one OTP account may see
	// per OTPWindow before further attempts are refused with 429.
	OTPAccountFailures = 5
	// OTPAddressFailures is the same limit per source address.
	OTPAddressFailures = 50
	// OTPWindow is the period the failure limits apply to.
	OTPWindow = 15 * time.Minute
	// OTPReplayTTL is how long a used code is remembered; using it again
	// within that time answers 409.
	OTPReplayTTL = 3 * time.Minute
	// OTPGuardMaxEntries bounds each of the guard's tables. When a table is
	// full of live entries the guard refuses new attempts with 503 rather
	// than forget what it counted.
	OTPGuardMaxEntries = 100_000
)

// OTPGuard protects OTP verification: it counts failed attempts per OTP
// account and per source address in fixed windows, and remembers used codes
// so that each is accepted only once. Memory is bounded by maxEntries per
// table; expired entries are dropped when a table fills up. It is safe for
// concurrent use.
type OTPGuard struct {
	mu         sync.Mutex
	now        func() time.Time
	maxEntries int
	fails      map[string]*failCount // "acct:..." or "ip:..."
	used       map[string]time.Time  // account + "\x00" + code -> forget at
}

type failCount struct {
	n     int
	start time.Time
}

// NewOTPGuard returns a guard with the limits of contract §7.4. now is the
// clock (nil means time.Now); maxEntries <= 0 means OTPGuardMaxEntries.
func NewOTPGuard(now func() time.Time, maxEntries int) *OTPGuard {
	if now == nil {
		now = time.Now
	}
	if maxEntries <= 0 {
		maxEntries = OTPGuardMaxEntries
	}
	return &OTPGuard{now: now, maxEntries: maxEntries, fails: map[string]*failCount{}, used: map[string]time.Time{}}
}

// Allow reports, as an action error, whether account (an OTP account key)
// and addr (the caller's address) may try another code: 429 when either
// reached its failure limit in the current window.
func (g *OTPGuard) Allow(account, addr string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if g.count("acct:"+account, now) >= OTPAccountFailures || g.count("ip:"+addr, now) >= OTPAddressFailures {
		return Fail(http.StatusTooManyRequests, "otp_rate_limited: too many wrong codes; retry later")
	}
	return nil
}

// Failed records one wrong code for account and addr. It answers 503 when
// the guard is full and cannot record it.
func (g *OTPGuard) Failed(account, addr string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failLocked(account, addr, g.now())
}

// failLocked records one wrong code; the caller holds g.mu.
func (g *OTPGuard) failLocked(account, addr string, now time.Time) error {
	for _, k := range []string{"acct:" + account, "ip:" + addr} {
		c, ok := g.fails[k]
		if !ok || now.Sub(c.start) >= OTPWindow {
			if !ok && !g.roomForFail(now) {
				return errGuardFull
			}
			c = &failCount{start: now}
			g.fails[k] = c
		}
		c.n++
	}
	return nil
}

// Reserve counts one attempt for account and addr before the code is
// checked, so parallel guesses cannot all pass a check made before any of
// them failed: 429 when either has no attempt left, 503 when the guard is
// full. An attempt that turns out right is given back with Cancel.
func (g *OTPGuard) Reserve(account, addr string) error {
	if err := g.Allow(account, addr); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	// Checked again under the same lock as the count, for parallel callers.
	if g.count("acct:"+account, now) >= OTPAccountFailures || g.count("ip:"+addr, now) >= OTPAddressFailures {
		return Fail(http.StatusTooManyRequests, "otp_rate_limited: too many wrong codes; retry later")
	}
	return g.failLocked(account, addr, now)
}

// Cancel gives back an attempt Reserve counted that was not a wrong code.
func (g *OTPGuard) Cancel(account, addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range []string{"acct:" + account, "ip:" + addr} {
		if c, ok := g.fails[k]; ok && c.n > 0 {
			c.n--
		}
	}
}

// Use marks code as used for account: 409 when it was already used within
// OTPReplayTTL, 503 when the guard is full.
func (g *OTPGuard) Use(account, code string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	k := account + "\x00" + code
	if until, ok := g.used[k]; ok && now.Before(until) {
		return Fail(http.StatusConflict, "otp_replayed: this code was already used")
	}
	if len(g.used) >= g.maxEntries {
		for key, until := range g.used {
			if !now.Before(until) {
				delete(g.used, key)
			}
		}
		if len(g.used) >= g.maxEntries {
			return errGuardFull
		}
	}
	g.used[k] = now.Add(OTPReplayTTL)
	return nil
}

// Size returns the number of failure counters and remembered codes held.
func (g *OTPGuard) Size() (fails, used int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.fails), len(g.used)
}

var errGuardFull = Fail(http.StatusServiceUnavailable, "OTP guard is busy; retry later")

// count returns the failures of key in the current window.
func (g *OTPGuard) count(key string, now time.Time) int {
	c, ok := g.fails[key]
	if !ok || now.Sub(c.start) >= OTPWindow {
		return 0
	}
	return c.n
}

// roomForFail makes room for one more failure counter, dropping expired
// ones when the table is full; false when it is full of live counters.
func (g *OTPGuard) roomForFail(now time.Time) bool {
	if len(g.fails) < g.maxEntries {
		return true
	}
	for k, c := range g.fails {
		if now.Sub(c.start) >= OTPWindow {
			delete(g.fails, k)
		}
	}
	return len(g.fails) < g.maxEntries
}
