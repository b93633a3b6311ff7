package dav

import (
	"encoding/xml"
	"testing"
	"time"
)

func TestLockManagerMembersAndRemoval(t *testing.T) {
	m := newLockManager()
	mk := func(root string, infinite bool, user string) davLock {
		t.Helper()
		l, err := m.create(davLock{root: root, infinite: infinite, user: user, timeout: time.Minute})
		if err != nil {
			t.Fatalf("lock %s: %v", root, err)
		}
		return l
	}
	zero := mk("/u/c", false, "a")
	deep := mk("/u/d", true, "a")
	leaf := mk("/u/d2/f", false, "b")

	for _, tc := range []struct {
		name, p, user string
		tokens        map[string]bool
		want          string // token of the blocking lock, "" for none
	}{
		{"depth 0 lock blocks adding a member", "/u/c", "b", nil, zero.token},
		{"holder with its token may add", "/u/c", "a", map[string]bool{zero.token: true}, ""},
		{"token without being the holder", "/u/c", "b", map[string]bool{zero.token: true}, zero.token},
		{"holder without its token", "/u/c", "a", nil, zero.token},
		{"infinite locks are left to blocked", "/u/d", "b", nil, ""},
		{"a sibling with a shared prefix is not the root", "/u/c2", "b", nil, ""},
	} {
		got := m.blockedMembers(tc.p, tc.user, tc.tokens)
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s: blocked by %s", tc.name, got.root)
		case tc.want != "" && (got == nil || got.token != tc.want):
			t.Errorf("%s: got %v, want the lock %s", tc.name, got, tc.want)
		}
	}

	if got := m.blocked("/u/d2", true, "a", nil); got == nil || got.token != leaf.token {
		t.Errorf("a tree write over a locked member is not blocked: %v", got)
	}
	if got := m.blocked("/u/d2", false, "a", nil); got != nil {
		t.Errorf("a write to the collection alone is blocked by a member lock: %v", got)
	}

	m.removed("/u/d")
	if m.hasToken(deep.token, "/u/d") {
		t.Error("the lock on a removed resource survived")
	}
	if !m.hasToken(leaf.token, "/u/d2/f") || !m.hasToken(zero.token, "/u/c") {
		t.Error("removing /u/d dropped locks outside it (/u/d2 shares its prefix)")
	}
	m.removed("/u")
	if len(m.covering("/u/c")) != 0 || len(m.covering("/u/d2/f")) != 0 {
		t.Error("removing an ancestor kept locks below it")
	}
}

func TestIsUnder(t *testing.T) {
	for _, tc := range []struct {
		p, dir string
		want   bool
	}{
		{"/u/c/f", "/u/c", true},
		{"/u/c/a/b", "/u/c", true},
		{"/u/c", "/u/c", false},
		{"/u/cx", "/u/c", false},
		{"/u", "/u/c", false},
	} {
		if got := isUnder(tc.p, tc.dir); got != tc.want {
			t.Errorf("isUnder(%q, %q) = %v, want %v", tc.p, tc.dir, got, tc.want)
		}
	}
}

func TestPlainRange(t *testing.T) {
	qs := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	qe := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	comp := func(name string, kids int) *node {
		n := &node{Attr: []xml.Attr{{Name: xml.Name{Local: "name"}, Value: name}}}
		for range kids {
			n.Children = append(n.Children, &node{})
		}
		return n
	}
	top := comp("VCALENDAR", 1)
	if plainRangeOf(top, comp("VEVENT", 2), qs, qe).on {
		t.Error("a filter with two conditions is plain")
	}
	if plainRangeOf(comp("VCALENDAR", 2), comp("VEVENT", 1), qs, qe).on {
		t.Error("two component filters are plain")
	}
	if plainRangeOf(top, comp("VFREEBUSY", 1), qs, qe).on {
		t.Error("a VFREEBUSY filter is plain")
	}
	p := plainRangeOf(top, comp("VEVENT", 1), qs, qe)
	ev := []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	two := []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	at := func(day int) time.Time { return time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name      string
		o         object
		in, known bool
	}{
		{"inside", object{content: ev, start: at(5), end: at(6)}, true, true},
		{"before", object{content: ev, start: at(1).AddDate(0, -1, 0), end: at(2).AddDate(0, -1, 0)}, false, true},
		{"ends at the query start", object{content: ev, start: qs.Add(-time.Hour), end: qs}, false, true},
		{"spans the query", object{content: ev, start: at(1).AddDate(0, -1, 0), end: qe.AddDate(0, 1, 0)}, true, true},
		{"recurring", object{content: ev, start: at(5), end: at(6), recurring: true}, false, false},
		{"undated", object{content: ev}, false, false},
		{"end before start", object{content: ev, start: at(6), end: at(5)}, false, false},
		{"two components", object{content: two, start: at(5), end: at(6)}, false, false},
	} {
		in, known := p.match(&tc.o)
		if in != tc.in || known != tc.known {
			t.Errorf("%s: match = (%v, %v), want (%v, %v)", tc.name, in, known, tc.in, tc.known)
		}
	}
	if _, known := (plainRange{}).match(&object{content: ev, start: at(5), end: at(6)}); known {
		t.Error("a query that is not plain answered from the columns")
	}
}
