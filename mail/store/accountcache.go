package store

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/apiary/apiary/resource"
)

// accountTTL bounds how long a looked-up account (or its absence) is
// trusted; any mail_account change this node sees empties the cache at
// once.
const accountTTL = 30 * time.Second

// maxAccountCache bounds the entries; past it the cache starts over
// (unknown recipients are cached too, and a sender picks them).
const maxAccountCache = 10000

// accountCache keeps the answers of Account, so RCPT TO does not query
// mail_account for every message.
type accountCache struct {
	mu sync.Mutex
	m  map[string]accountEntry
}

type accountEntry struct {
	acct Account
	ok   bool
	at   time.Time
}

func newAccountCache() *accountCache { return &accountCache{m: map[string]accountEntry{}} }

// observe empties the cache when an account changes.
func (c *accountCache) observe(ch resource.Change) {
	if ch.Table != TableAccount {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

// Account finds the account of a full address, case-insensitively
// (an account created as Alice@Example.com receives mail for
// alice@example.com and logs in as either).
func (s *Store) Account(ctx context.Context, address string) (Account, bool, error) {
	key := strings.TrimSpace(address)
	now := s.now()
	c := s.accounts
	c.mu.Lock()
	e, hit := c.m[key]
	c.mu.Unlock()
	if hit && now.Sub(e.at) < accountTTL {
		return e.acct, e.ok, nil
	}
	r, ok, err := s.accountRow(ctx, address)
	if err != nil {
		return Account{}, false, err
	}
	e = accountEntry{ok: ok, at: now}
	if ok {
		e.acct = accountOf(r)
	}
	c.mu.Lock()
	if len(c.m) >= maxAccountCache {
		clear(c.m)
	}
	c.m[key] = e
	c.mu.Unlock()
	return e.acct, e.ok, nil
}
