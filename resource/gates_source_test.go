package resource_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

// A process that only writes keeps the table gates it loads inside a
// transaction (it used to reload every table's gate on every create),
// while a transaction that changes a gate itself sees its change and never
// keeps it, and a committed gate change still reaches the next write.
func TestGateCacheOnWriteOnlyProcess(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, noteSchema)
	u, err := res.Create(sys(), "user_account", resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.test", "password": "ann-password"}})
	if err != nil {
		t.Fatal(err)
	}
	ann := auth.WithPrincipal(context.Background(), auth.Principal{UserID: u.ID, UserRef: u.RefID, Email: "ann@example.test"})
	create := func(ctx context.Context, tx resource.Service) error {
		_, err := tx.Create(ctx, "note", resource.Input{Attributes: map[string]any{"title": "x"}})
		return err
	}
	worlds, err := res.List(sys(), "world", resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var noteWorld string
	for _, r := range worlds.Rows {
		if r.Attrs["table_name"] == "note" {
			noteWorld = r.RefID
		}
	}
	if noteWorld == "" {
		t.Fatal("no world row for note")
	}
	setGate := func(ctx context.Context, tx resource.Service, perm auth.Permission) error {
		_, err := tx.Update(ctx, "world", noteWorld, resource.Input{Attributes: map[string]any{"permission": int64(perm)}})
		return err
	}

	res.Invalidate()
	if err := create(ann, res); err != nil {
		t.Fatalf("create on a cold cache: %v", err)
	}
	if !resource.GatesLoaded(res) {
		t.Fatal("a create on a cold cache did not keep the gates it loaded")
	}

	// A committed gate change reaches the next write.
	if err := setGate(sys(), res, auth.DefaultPermission); err != nil {
		t.Fatal(err)
	}
	if err := create(ann, res); !errors.Is(err, resource.ErrForbidden) {
		t.Fatalf("create after the gate was locked: %v, want forbidden", err)
	}

	// A transaction that opens the gate sees its own change (whether the
	// cache was filled before it or is empty), keeps nothing, and its
	// rollback leaves the gate locked.
	boom := errors.New("roll back")
	err = res.InTx(sys(), func(tx resource.Service) error {
		if err := setGate(sys(), tx, auth.AllowAll); err != nil {
			return err
		}
		if err := create(ann, tx); err != nil {
			return err
		}
		res.Invalidate()
		if err := create(ann, tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	if resource.GatesLoaded(res) {
		t.Fatal("a transaction kept gates that included its own uncommitted change")
	}
	if err := create(ann, res); !errors.Is(err, resource.ErrForbidden) {
		t.Fatalf("create after the rolled-back change: %v, want forbidden", err)
	}
}
