package dav

import (
	"testing"
	"time"
)

func TestLockManagerConflicts(t *testing.T) {
	m := newLockManager()
	ex, err := m.create(davLock{root: "/u/c", infinite: true, user: "a", timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		l    davLock
	}{
		{"same root", davLock{root: "/u/c", user: "a", timeout: time.Minute}},
		{"member of an infinite lock", davLock{root: "/u/c/f", user: "b", timeout: time.Minute}},
		{"shared under exclusive", davLock{root: "/u/c/f", shared: true, user: "a", timeout: time.Minute}},
		{"ancestor with depth infinity", davLock{root: "/u", infinite: true, user: "a", timeout: time.Minute}},
	} {
		if _, err := m.create(tc.l); err != errLockConflict {
			t.Errorf("%s: err = %v, want a conflict", tc.name, err)
		}
	}
	if _, err := m.create(davLock{root: "/u/other", user: "a", timeout: time.Minute}); err != nil {
		t.Errorf("unrelated lock: %v", err)
	}
	if _, err := m.create(davLock{root: "/u", user: "a", timeout: time.Minute}); err != nil {
		t.Errorf("depth 0 lock on the parent: %v", err)
	}
	if !m.unlock(ex.token, "a", "/u/c/f") {
		t.Fatal("unlock through a member of the lock failed")
	}
	s1, err := m.create(davLock{root: "/u/c/f", shared: true, user: "a", timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.create(davLock{root: "/u/c/f", shared: true, user: "b", timeout: time.Minute}); err != nil {
		t.Errorf("second shared lock: %v", err)
	}
	if _, err := m.create(davLock{root: "/u/c/f", user: "a", timeout: time.Minute}); err != errLockConflict {
		t.Errorf("exclusive over shared: %v", err)
	}
	if m.unlock(s1.token, "b", "/u/c/f") {
		t.Error("another principal removed a lock it does not hold")
	}
	if m.unlock(s1.token, "a", "/u/c/g") {
		t.Error("unlock on a URL the lock does not cover succeeded")
	}
}

func TestLockManagerBlockedAndExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newLockManager()
	m.now = func() time.Time { return now }
	l, err := m.create(davLock{root: "/u/c/sub", infinite: true, user: "a", timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	tok := map[string]bool{l.token: true}
	if m.blocked("/u/c/sub/f", false, "a", nil) == nil {
		t.Error("write to a locked member without the token is allowed")
	}
	if m.blocked("/u/c/sub/f", false, "a", tok) != nil {
		t.Error("the owner with the token is blocked")
	}
	if m.blocked("/u/c/sub/f", false, "b", tok) == nil {
		t.Error("another principal using the owner's token is allowed")
	}
	if m.blocked("/u/c", false, "b", nil) != nil {
		t.Error("a write to the unlocked parent is blocked")
	}
	if m.blocked("/u/c", true, "b", nil) == nil {
		t.Error("deleting the parent of a locked collection is allowed")
	}
	if !m.hasToken(l.token, "/u/c/sub/f") || m.hasToken(l.token, "/u/c") {
		t.Error("hasToken does not follow the lock's scope")
	}
	now = now.Add(50 * time.Second)
	if _, ok := m.refresh(l.token, "a", "/u/c/sub", time.Minute); !ok {
		t.Fatal("refresh failed")
	}
	now = now.Add(50 * time.Second)
	if len(m.covering("/u/c/sub")) != 1 {
		t.Fatal("the refreshed lock expired at its first timeout")
	}
	now = now.Add(11 * time.Second)
	if len(m.covering("/u/c/sub")) != 0 || m.blocked("/u/c/sub", false, "b", nil) != nil {
		t.Fatal("an expired lock still applies")
	}
	z, _ := m.create(davLock{root: "/u/z", user: "a", timeout: time.Minute})
	if m.blockedMembers("/u/z", "b", nil) == nil || m.blockedMembers("/u/z", "a", map[string]bool{z.token: true}) != nil {
		t.Error("blockedMembers does not follow the Depth 0 lock")
	}
	if m.blockedMembers("/u/c", "b", nil) != nil {
		t.Error("blockedMembers reports an unlocked collection")
	}
	l2, _ := m.create(davLock{root: "/u/c/x", user: "a", timeout: time.Minute})
	m.removed("/u/c")
	if m.hasToken(l2.token, "/u/c/x") {
		t.Error("a lock survived the removal of its parent")
	}
}

type fakeIfState struct {
	tokens map[string]string // resource → token
	etags  map[string]string
}

func (f fakeIfState) hasToken(res, token string) bool { return f.tokens[res] == token }
func (f fakeIfState) etag(res string) string          { return f.etags[res] }

func TestIfHeader(t *testing.T) {
	st := fakeIfState{tokens: map[string]string{"": "opaquelocktoken:a", "/x": "opaquelocktoken:b"},
		etags: map[string]string{"": `"e1"`}}
	for _, tc := range []struct {
		hdr      string
		ok, hold bool
	}{
		{`(<opaquelocktoken:a>)`, true, true},
		{`(<opaquelocktoken:a> ["e1"])`, true, true},
		{`(<opaquelocktoken:a> ["e2"])`, true, false},
		{`(<DAV:no-lock> ["e1"])`, true, false},
		{`(<opaquelocktoken:zz>) (Not <DAV:no-lock>)`, true, true},
		{`(Not <opaquelocktoken:a>)`, true, false},
		{`(<opaquelocktoken:a> [W/"e1"])`, true, true},
		{`</x> (<opaquelocktoken:b>)`, true, true},
		{`</x> (<opaquelocktoken:a>) </y> (Not <DAV:no-lock>)`, true, true},
		{`</x> (<opaquelocktoken:a>)`, true, false},
		{`(<opaquelocktoken:a>`, false, false},
		{`()`, false, false},
		{`opaquelocktoken:a`, false, false},
		{`(<a>) </x> (<b>)`, false, false},
		{`(Not)`, false, false},
	} {
		lists, ok := parseIf(tc.hdr)
		if ok != tc.ok {
			t.Errorf("%s: parsed = %v, want %v", tc.hdr, ok, tc.ok)
			continue
		}
		if ok && evalIf(lists, st) != tc.hold {
			t.Errorf("%s: holds = %v, want %v", tc.hdr, !tc.hold, tc.hold)
		}
	}
	lists, _ := parseIf(`</x> (<opaquelocktoken:b> ["e"]) (Not <DAV:no-lock>)`)
	if got := ifTokens(lists); !got["opaquelocktoken:b"] || !got["DAV:no-lock"] || len(got) != 2 {
		t.Errorf("tokens = %v", got)
	}
}

func TestLockTimeoutAndKeys(t *testing.T) {
	for v, want := range map[string]time.Duration{
		"":                         defLockTimeout,
		"Second-30":                30 * time.Second,
		"Infinite, Second-4100000": maxLockTimeout,
		"Second-99999999999":       maxLockTimeout,
		"Second-x, Second-5":       5 * time.Second,
		"Second--1":                defLockTimeout,
	} {
		if got := lockTimeout(v); got != want {
			t.Errorf("Timeout %q = %v, want %v", v, got, want)
		}
	}
	a := target{prefix: "/caldav", kind: kindCollection, user: "u", coll: "c"}
	b := target{prefix: "/carddav", kind: kindCollection, user: "u", coll: "c"}
	if lockKey(a) != lockKey(b) || lockKey(a) != "/users/u/calendars/c" {
		t.Errorf("keys %q %q", lockKey(a), lockKey(b))
	}
	if keyFromHref(collectionHref("/caldav", "u", "c")) != lockKey(a) {
		t.Error("href and target keys differ")
	}
	if tok := newLockToken(); len(tok) != len("opaquelocktoken:")+36 || tok == newLockToken() {
		t.Errorf("token %q", tok)
	}
}
