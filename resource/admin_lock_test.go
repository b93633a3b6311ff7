package resource_test

import (
	"context"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
	"github.com/apiary/apiary/schema"
)

// Lock-down closes usergroup and membership rows that still carried the
// allow-all permission, and a plain user then sees only memberships of
// their own and of their groups.
func TestLockDownClosesOwnerlessRows(t *testing.T) {
	res := resourcetest.New(t, "Tables: []\n")
	sys := auth.WithPrincipal(context.Background(), auth.System())
	users := map[string]string{}
	for _, email := range []string{"admin@example.test", "plain@example.test"} {
		u, err := res.Create(sys, schema.TableUser, resource.Input{Attributes: map[string]any{"name": "N", "email": email, "password": "password-1"}})
		if err != nil {
			t.Fatal(err)
		}
		users[email] = u.RefID
	}
	g, err := res.Create(sys, schema.TableUsergroup, resource.Input{Attributes: map[string]any{"name": "Home group of admin@example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Create(sys, schema.TableMembership, resource.Input{Attributes: map[string]any{
		schema.ColOwner: users["admin@example.test"], schema.ColUsergroup: g.RefID}}); err != nil {
		t.Fatal(err)
	}
	admin, err := res.PrincipalByEmail(sys, "admin@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := res.BecomeAdministrator(auth.WithPrincipal(context.Background(), admin)); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{schema.TableUsergroup, schema.TableMembership} {
		page, err := res.List(sys, table, resource.Query{PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rows {
			if p, _ := r.Attrs[schema.ColPermission].(int64); p == int64(auth.AllowAll) {
				t.Errorf("%s row %s keeps the allow-all permission after lock-down", table, r.RefID)
			}
		}
		guest, err := res.List(auth.WithPrincipal(context.Background(), auth.Guest()), table, resource.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(guest.Rows) != 0 {
			t.Errorf("a guest lists %d %s rows after lock-down", len(guest.Rows), table)
		}
	}
	plain, err := res.PrincipalByEmail(sys, "plain@example.test")
	if err != nil {
		t.Fatal(err)
	}
	page, err := res.List(auth.WithPrincipal(context.Background(), plain), schema.TableMembership, resource.Query{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Rows {
		if r.Attrs[schema.ColOwner] != users["plain@example.test"] && r.Attrs[schema.ColUsergroup] == g.RefID {
			t.Errorf("a plain user sees the administrator's membership of a group they are not in: %v", r.Attrs)
		}
	}
}
