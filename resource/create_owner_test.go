package resource_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

// TestCreateWithOwnerAndPermission: the system principal may create a row
// for another user with a chosen permission; anyone else is refused.
func TestCreateWithOwnerAndPermission(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, noteSchema)
	u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": "U", "email": "u@x.test", "password": "password1"}})
	if err != nil {
		t.Fatal(err)
	}
	perm := int64(auth.UserCRUD)
	r, err := res.Create(sys(), "note", resource.Input{Attributes: map[string]any{"title": "for u"}, Owner: u.RefID, Permission: &perm})
	if err != nil {
		t.Fatal(err)
	}
	if r.Attrs["user_account_id"] != u.RefID || r.Attrs["permission"] != perm {
		t.Fatalf("owner %v permission %v; want %s %d", r.Attrs["user_account_id"], r.Attrs["permission"], u.RefID, perm)
	}
	p, err := res.PrincipalByEmail(context.Background(), "u@x.test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = res.Create(auth.WithPrincipal(context.Background(), p), "note", resource.Input{Attributes: map[string]any{"title": "x"}, Owner: u.RefID})
	if !errors.Is(err, resource.ErrForbidden) {
		t.Fatalf("a user choosing an owner: %v, want forbidden", err)
	}
}
