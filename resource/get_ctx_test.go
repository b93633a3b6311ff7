package resource

import (
	"context"
	"testing"

	"github.com/apiary/apiary/auth"
)

// TestOneRowCtx: outside a transaction the one-row read drops the
// request's cancellation (no watcher goroutines) but keeps its values;
// inside one the context is the caller's.
func TestOneRowCtx(t *testing.T) {
	t.Parallel()
	p := auth.Principal{Email: "ann@example.test", UserID: 7}
	base, cancel := context.WithCancel(auth.WithPrincipal(context.Background(), p))
	defer cancel()
	scenarios := []struct {
		name      string
		outsideTx bool
		cancels   bool
	}{
		{name: "outside a transaction", outsideTx: true, cancels: false},
		{name: "inside a transaction", outsideTx: false, cancels: true},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := oneRowCtx(base, s.outsideTx)
			if got := ctx.Done() != nil; got != s.cancels {
				t.Errorf("cancellable = %v, want %v", got, s.cancels)
			}
			if got := auth.PrincipalFrom(ctx); got.UserID != p.UserID {
				t.Errorf("principal = %+v, want user %d", got, p.UserID)
			}
		})
	}
}

// TestScanBufReused: a view's scan destinations come back cleared, each
// pointer aiming at its own value.
func TestScanBufReused(t *testing.T) {
	t.Parallel()
	v := &view{cols: make([]colView, 3), fks: make([]fkView, 1)}
	b := v.scanBuf()
	if len(b.raw) != 4 || len(b.ptrs) != 4 {
		t.Fatalf("scanBuf sizes %d, %d, want 4", len(b.raw), len(b.ptrs))
	}
	for i := range b.raw {
		*(b.ptrs[i].(*any)) = i
		if b.raw[i] != i {
			t.Fatalf("ptrs[%d] does not point at raw[%d]", i, i)
		}
	}
	v.putScanBuf(b)
	for i, x := range b.raw {
		if x != nil {
			t.Errorf("raw[%d] = %v after putScanBuf, want nil", i, x)
		}
	}
}
