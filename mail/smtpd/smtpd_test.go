package smtpd

import (
	"errors"
	"testing"
)

func TestLoginServer(t *testing.T) {
	var gotUser, gotPass string
	s := newLoginServer(func(u, p string) error {
		gotUser, gotPass = u, p
		if p != "right" {
			return errors.New("no")
		}
		return nil
	})
	ch, done, err := s.Next(nil)
	if string(ch) != "Username:" || done || err != nil {
		t.Fatalf("step 1: %q %v %v", ch, done, err)
	}
	ch, done, err = s.Next([]byte("alice@x.test"))
	if string(ch) != "Password:" || done || err != nil {
		t.Fatalf("step 2: %q %v %v", ch, done, err)
	}
	if _, done, err = s.Next([]byte("right")); !done || err != nil || gotUser != "alice@x.test" || gotPass != "right" {
		t.Fatalf("step 3: %v %v %s %s", done, err, gotUser, gotPass)
	}
	// An initial response carries the username.
	s = newLoginServer(func(u, p string) error { return errors.New("wrong") })
	if ch, _, _ := s.Next([]byte("bob")); string(ch) != "Password:" {
		t.Fatalf("initial response: %q", ch)
	}
	if _, done, err := s.Next([]byte("x")); !done || err == nil {
		t.Fatal("a wrong password must fail")
	}
}

func TestHosts(t *testing.T) {
	var h Hosts
	if h.Has("x.test") {
		t.Fatal("empty set has a host")
	}
	h.Set([]string{"Example.Test", "other.test"})
	if !h.Has("example.test") || !h.Has("OTHER.test") || h.Has("foreign.test") {
		t.Fatal("Has")
	}
}
