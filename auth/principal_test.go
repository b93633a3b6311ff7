package auth

import (
	"context"
	"slices"
	"testing"
)

func TestPrincipalKinds(t *testing.T) {
	t.Parallel()
	g := Guest()
	if !g.IsGuest() || g.IsAdmin() {
		t.Errorf("Guest: IsGuest=%v IsAdmin=%v", g.IsGuest(), g.IsAdmin())
	}
	s := System()
	if s.IsGuest() || !s.IsAdmin() {
		t.Errorf("System: IsGuest=%v IsAdmin=%v", s.IsGuest(), s.IsAdmin())
	}
	u := Principal{UserID: 3}
	if u.IsGuest() || u.IsAdmin() {
		t.Errorf("user: IsGuest=%v IsAdmin=%v", u.IsGuest(), u.IsAdmin())
	}
	a := Principal{UserID: 4, Admin: true}
	if a.IsGuest() || !a.IsAdmin() {
		t.Errorf("admin: IsGuest=%v IsAdmin=%v", a.IsGuest(), a.IsAdmin())
	}
}

func TestPrincipalGroupsAndScopes(t *testing.T) {
	t.Parallel()
	p := Principal{UserID: 1, Groups: []Group{{ID: 5, Name: "users"}, {ID: 2, Name: "administrators"}},
		Scopes: []string{"read", "write"}}
	if got := p.GroupIDs(); !slices.Equal(got, []int64{5, 2}) {
		t.Errorf("GroupIDs = %v", got)
	}
	if !p.InGroup(2) || p.InGroup(3) {
		t.Error("InGroup wrong")
	}
	if !p.HasScope("write") || p.HasScope("admin") {
		t.Error("HasScope wrong")
	}
	if got := Guest().GroupIDs(); len(got) != 0 {
		t.Errorf("guest GroupIDs = %v", got)
	}
}

func TestPrincipalContext(t *testing.T) {
	t.Parallel()
	if p := PrincipalFrom(context.Background()); !p.IsGuest() {
		t.Errorf("empty context gives %+v, want guest", p)
	}
	want := Principal{UserID: 9, Email: "a@example.com", AuthVersion: 2}
	ctx := WithPrincipal(context.Background(), want)
	if got := PrincipalFrom(ctx); got.UserID != 9 || got.Email != want.Email || got.AuthVersion != 2 {
		t.Errorf("PrincipalFrom = %+v", got)
	}
	type otherKey struct{}
	ctx = context.WithValue(context.Background(), otherKey{}, want)
	if p := PrincipalFrom(ctx); !p.IsGuest() {
		t.Error("a value under another key must not be taken for the principal")
	}
}
