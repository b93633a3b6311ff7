package actions

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func guardStatus(err error) int          { var ae *Error; errors.As(err, &ae); return ae.Status }
func newTestGuard(max int) (*OTPGuard, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return NewOTPGuard(c.now, max), c
}

func TestOTPGuardAccountLimit(t *testing.T) {
	g, clock := newTestGuard(0)
	for i := range OTPAccountFailures {
		if err := g.Allow("alice", "10.0.0."+strconv.Itoa(i)); err != nil {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
		if err := g.Failed("alice", "10.0.0."+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Allow("alice", "10.9.9.9"); err == nil || guardStatus(err) != http.StatusTooManyRequests {
		t.Fatalf("sixth attempt: %v, want 429", err)
	}
	if err := g.Allow("bob", "10.9.9.9"); err != nil {
		t.Fatalf("another account is limited too: %v", err)
	}
	clock.add(OTPWindow)
	if err := g.Allow("alice", "10.9.9.9"); err != nil {
		t.Fatalf("limit outlived its window: %v", err)
	}
}

func TestOTPGuardAddressLimit(t *testing.T) {
	g, clock := newTestGuard(0)
	for i := range OTPAddressFailures {
		acct := "user" + strconv.Itoa(i)
		if err := g.Allow(acct, "192.0.2.1"); err != nil {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
		if err := g.Failed(acct, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		clock.add(time.Second)
	}
	if err := g.Allow("fresh", "192.0.2.1"); err == nil || guardStatus(err) != http.StatusTooManyRequests {
		t.Fatalf("attempt %d from one address: %v, want 429", OTPAddressFailures+1, err)
	}
	if err := g.Allow("fresh", "192.0.2.2"); err != nil {
		t.Fatalf("another address is limited too: %v", err)
	}
}

func TestOTPGuardReplay(t *testing.T) {
	g, clock := newTestGuard(0)
	if err := g.Use("alice", "123456"); err != nil {
		t.Fatal(err)
	}
	clock.add(OTPReplayTTL - time.Second)
	if err := g.Use("alice", "123456"); err == nil || guardStatus(err) != http.StatusConflict {
		t.Fatalf("replay within %v: %v, want 409", OTPReplayTTL, err)
	}
	if err := g.Use("bob", "123456"); err != nil {
		t.Fatalf("the same digits for another account: %v", err)
	}
	clock.add(time.Second)
	if err := g.Use("alice", "123456"); err != nil {
		t.Fatalf("code still remembered after %v: %v", OTPReplayTTL, err)
	}
}

func TestOTPGuardBoundedMemory(t *testing.T) {
	const max = 8
	g, clock := newTestGuard(max)
	for i := range 100 {
		k := strconv.Itoa(i)
		if err := g.Use("acct"+k, "000000"); err != nil {
			if guardStatus(err) != http.StatusServiceUnavailable || i < max {
				t.Fatalf("use %d: %v", i, err)
			}
		}
		_ = g.Failed("acct"+k, "ip"+k)
		if f, u := g.Size(); f > max || u > max {
			t.Fatalf("guard grew to %d counters, %d codes (max %d)", f, u, max)
		}
	}
	// Full of live entries: new work is refused with 503, not forgotten.
	if err := g.Failed("new", "new"); err == nil || guardStatus(err) != http.StatusServiceUnavailable {
		t.Fatalf("full guard: %v, want 503", err)
	}
	// Expired entries make room again.
	clock.add(OTPWindow)
	if err := g.Use("later", "111111"); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if err := g.Failed("later", "later"); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}

func TestOTPAuthURI(t *testing.T) {
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	got := otpauthURI("a+b@example.com", secret)
	want := "otpauth://totp/site.daptin.com:a+b@example.com?secret=" + secret + "&issuer=site.daptin.com&period=120&digits=6"
	if got != want {
		t.Fatalf("uri\n got %s\nwant %s", got, want)
	}
}

func TestRandomPassword(t *testing.T) {
	a, _ := randomPassword(newPasswordLen)
	b, _ := randomPassword(newPasswordLen)
	if len(a) != newPasswordLen || a == b {
		t.Fatalf("passwords %q %q", a, b)
	}
}

func TestResponseCreate(t *testing.T) {
	out, err := responseCreate(t.Context(), Request{Attributes: map[string]any{"message": "hi"}})
	if err != nil || len(out) != 1 || out[0].ResponseType != "client.notify" || out[0].Attributes.(map[string]any)["message"] != "hi" {
		t.Fatalf("default: %+v %v", out, err)
	}
	out, _ = responseCreate(t.Context(), Request{Attributes: map[string]any{"response_type": "client.redirect", "location": "/x"}})
	a := out[0].Attributes.(map[string]any)
	if out[0].ResponseType != "client.redirect" || a["location"] != "/x" || a["response_type"] != nil {
		t.Fatalf("typed: %+v", out)
	}
}

// Parallel guesses reserve their attempt before the check: exactly
// OTPAccountFailures of them get one, and a right code gives its back.
func TestOTPGuardParallelReserve(t *testing.T) {
	g := NewOTPGuard(nil, 0)
	var wg sync.WaitGroup
	var granted atomic.Int32
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g.Reserve("alice", "192.0.2.1") == nil {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := granted.Load(); n != OTPAccountFailures {
		t.Fatalf("%d of 40 parallel attempts reserved, want %d", n, OTPAccountFailures)
	}
	g.Cancel("alice", "192.0.2.1")
	if err := g.Reserve("alice", "192.0.2.1"); err != nil {
		t.Fatalf("a cancelled attempt was not given back: %v", err)
	}
}

func TestGravatarAndTokenResponses(t *testing.T) {
	t.Parallel()
	// md5("ann@example.com") after trimming and lower-casing.
	if got := gravatar("  Ann@Example.COM "); got != "https://www.gravatar.com/avatar/"+auth.MD5Hex("ann@example.com") || len(got) != 32+len("https://www.gravatar.com/avatar/") {
		t.Errorf("gravatar = %q", got)
	}
	out := tokenResponses("tok")
	if len(out) != 4 || out[0].Attributes.(map[string]any)["value"] != "tok" ||
		out[1].Attributes.(map[string]any)["value"] != "tok; SameSite=Strict" || out[3].ResponseType != "client.redirect" {
		t.Errorf("token responses: %+v", out)
	}
}
