package auth

import (
	"sync"
	"time"
)

// maxVerifiedTokens bounds the cache of verified tokens; when it is full it
// starts again from empty.
const maxVerifiedTokens = 1024

// verifiedTokens remembers the claims of tokens whose signature and issuer
// were checked, so a client sending the same token again costs a map
// lookup instead of base64, JSON and HMAC work. The time claims are checked
// again on every use, so an entry never outlives its token.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]Claims
}

func newVerifiedTokens() *verifiedTokens { return &verifiedTokens{m: map[string]Claims{}} }

func (v *verifiedTokens) lookup(token string, now time.Time) (Claims, bool) {
	if v == nil {
		return Claims{}, false
	}
	v.mu.Lock()
	c, ok := v.m[token]
	v.mu.Unlock()
	if !ok || !timesValid(c, now) {
		return Claims{}, false
	}
	return c, true
}

func (v *verifiedTokens) store(token string, c Claims) {
	if v == nil {
		return
	}
	v.mu.Lock()
	if len(v.m) >= maxVerifiedTokens {
		clear(v.m)
	}
	v.m[token] = c
	v.mu.Unlock()
}

// timesValid applies Verify's time rules (exp required and not past; nbf
// and iat not in the future; TokenLeeway each way) to claims already read.
func timesValid(c Claims, now time.Time) bool {
	if c.ExpiresAt.IsZero() || !now.Before(c.ExpiresAt.Add(TokenLeeway)) {
		return false
	}
	if !c.NotBefore.IsZero() && now.Add(TokenLeeway).Before(c.NotBefore) {
		return false
	}
	if !c.IssuedAt.IsZero() && now.Add(TokenLeeway).Before(c.IssuedAt) {
		return false
	}
	return true
}
