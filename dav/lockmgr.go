package dav

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"
)

// WebDAV write locks (RFC 4918 §6–7) live in memory, one manager per
// handler: they vanish on restart, which RFC 4918 allows (a client then
// sees its token refused and locks again).

// Lock limits.
const (
	maxLockTimeout = 24 * time.Hour
	defLockTimeout = time.Hour
	maxLocks       = 10000 // per server, so lock requests cannot grow memory without bound
)

var (
	errLockConflict = errors.New("the resource is locked")
	errTooManyLocks = errors.New("too many locks")
)

// davLock is one active lock. Paths are lock keys (lockKey): the href
// without the /caldav or /carddav prefix and without a trailing slash.
type davLock struct {
	token    string // opaquelocktoken:<uuid>
	root     string
	rootHref string // the root's URL, for DAV:lockroot
	infinite bool   // Depth: infinity
	shared   bool
	owner    string // inner XML of the client's DAV:owner
	user     string // principal holding the lock
	timeout  time.Duration
	expires  time.Time
}

// lockManager holds the active locks of one server.
type lockManager struct {
	mu    sync.Mutex
	locks map[string]*davLock // token → lock
	now   func() time.Time
}

func newLockManager() *lockManager {
	return &lockManager{locks: map[string]*davLock{}, now: time.Now}
}

// covers reports whether l applies to path p: its root, or a member of
// its root when the lock is Depth: infinity.
func (l *davLock) covers(p string) bool {
	return l.root == p || (l.infinite && isUnder(p, l.root))
}

// isUnder reports whether p lies strictly below dir.
func isUnder(p, dir string) bool {
	return strings.HasPrefix(p, dir+"/")
}

// purge drops expired locks; mu is held.
func (m *lockManager) purge() {
	now := m.now()
	for t, l := range m.locks {
		if !now.Before(l.expires) {
			delete(m.locks, t)
		}
	}
}

// create takes a new lock on l.root unless it conflicts with a lock
// held on the root, on an ancestor covering it, or (for a Depth:
// infinity request) on a member. Two shared locks do not conflict.
func (m *lockManager) create(l davLock) (davLock, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purge()
	for _, o := range m.locks {
		overlap := o.covers(l.root) || (l.infinite && isUnder(o.root, l.root))
		if overlap && !(o.shared && l.shared) {
			return davLock{}, errLockConflict
		}
	}
	if len(m.locks) >= maxLocks {
		return davLock{}, errTooManyLocks
	}
	l.token = newLockToken()
	l.expires = m.now().Add(l.timeout)
	m.locks[l.token] = &l
	return l, nil
}

// refresh renews the timeout of the lock with token, held by user, that
// covers p.
func (m *lockManager) refresh(token, user, p string, timeout time.Duration) (davLock, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purge()
	l, ok := m.locks[token]
	if !ok || l.user != user || !l.covers(p) {
		return davLock{}, false
	}
	l.timeout = timeout
	l.expires = m.now().Add(timeout)
	return *l, true
}

// unlock removes the lock with token, held by user, that covers p.
func (m *lockManager) unlock(token, user, p string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purge()
	l, ok := m.locks[token]
	if !ok || l.user != user || !l.covers(p) {
		return false
	}
	delete(m.locks, token)
	return true
}

// covering lists the locks that apply to p.
func (m *lockManager) covering(p string) []davLock {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purge()
	var out []davLock
	for _, l := range m.locks {
		if l.covers(p) {
			out = append(out, *l)
		}
	}
	return out
}

// hasToken reports whether token names a live lock covering p.
func (m *lockManager) hasToken(token, p string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.locks[token]
	return ok && m.now().Before(l.expires) && l.covers(p)
}

// blocked returns the first lock that forbids user, who submitted
// tokens, to modify p (or, with tree, anything below p): a lock applies
// unless its token was submitted by the principal holding it.
func (m *lockManager) blocked(p string, tree bool, user string, tokens map[string]bool) *davLock {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purge()
	for _, l := range m.locks {
		if !l.covers(p) && !(tree && isUnder(l.root, p)) {
			continue
		}
		if tokens[l.token] && l.user == user {
			continue
		}
		c := *l
		return &c
	}
	return nil
}

// blockedMembers returns a Depth: 0 lock on collection p that forbids
// user, who submitted tokens, to add or remove members of p (locks with
// Depth: infinity are found by blocked on the member itself).
func (m *lockManager) blockedMembers(p, user string, tokens map[string]bool) *davLock {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purge()
	for _, l := range m.locks {
		if l.root != p || l.infinite || (tokens[l.token] && l.user == user) {
			continue
		}
		c := *l
		return &c
	}
	return nil
}

// removed drops the locks on p and below after p was moved or deleted
// (RFC 4918 §7.7: locks do not move with a resource).
func (m *lockManager) removed(p string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for t, l := range m.locks {
		if l.root == p || isUnder(l.root, p) {
			delete(m.locks, t)
		}
	}
}

// newLockToken is a random opaquelocktoken URI (a version 4 UUID).
func newLockToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "opaquelocktoken:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
