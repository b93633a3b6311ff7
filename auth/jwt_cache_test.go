package auth

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// A token verified once is answered from the cache, but its time claims
// are checked again on every use: the cache never extends a token's life.
func TestVerifyCacheKeepsTimeRules(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	start := time.Unix(1795421764, 0)
	now.Store(start.Unix())
	iss := NewIssuer([]byte("test-secret"), "apiary-test", time.Hour, func() time.Time { return time.Unix(now.Load(), 0) })
	tok, _, err := iss.Issue("carol@example.com", "Carol", "ref", 1)
	if err != nil {
		t.Fatal(err)
	}
	for step, tc := range []struct {
		at   time.Time
		want error
	}{
		{start, nil},
		{start.Add(59 * time.Minute), nil},                       // cached, still valid
		{start.Add(time.Hour + 29*time.Second), nil},             // within the leeway
		{start.Add(time.Hour + 31*time.Second), ErrTokenExpired}, // past it: the full check answers
		{start.Add(-31 * time.Second), ErrTokenNotYetValid},      // a clock set back: iat/nbf in the future
		{start.Add(-29 * time.Second), nil},
	} {
		now.Store(tc.at.Unix())
		c, err := iss.Verify(tok)
		if !errors.Is(err, tc.want) {
			t.Errorf("step %d at %v: Verify = %v, want %v", step, tc.at, err, tc.want)
		}
		if err == nil && c.Email != "carol@example.com" {
			t.Errorf("step %d: claims = %+v", step, c)
		}
	}
	// A tampered copy of a cached token is still rejected.
	bad := tok[:len(tok)-2] + "xx"
	if _, err := iss.Verify(bad); !errors.Is(err, ErrTokenSignature) && !errors.Is(err, ErrTokenMalformed) {
		t.Errorf("tampered token: Verify = %v", err)
	}
}

func TestVerifiedTokensBounded(t *testing.T) {
	t.Parallel()
	v := newVerifiedTokens()
	c := Claims{ExpiresAt: time.Now().Add(time.Hour)}
	for i := range maxVerifiedTokens + 10 {
		v.store(string(rune(i))+"tok", c)
	}
	if n := len(v.m); n > maxVerifiedTokens {
		t.Errorf("cache holds %d tokens, bound %d", n, maxVerifiedTokens)
	}
	var nilCache *verifiedTokens
	nilCache.store("x", c)
	if _, ok := nilCache.lookup("x", time.Now()); ok {
		t.Error("a nil cache answered")
	}
}
