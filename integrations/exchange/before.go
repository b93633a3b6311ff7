package exchange

import (
	"context"
	"fmt"
	"maps"

	"github.com/apiary/apiary/resource"
)

// Hooks an exchange's attributes.hook may name.
const (
	HookBefore = "before"
	HookAfter  = "after"
)

type inHookKey struct{}

// Before runs the before hooks of a write (contract sidecars.md §10.2)
// in name order, each as its as_user_id user, and refuses the write with
// the first failure: the target action failed, the REST target answered
// an error, or the user cannot read the row. Writes made by a hook's own
// action do not run hooks again.
func (r *Runner) Before(ctx context.Context, w resource.Write) error {
	if ctx.Value(inHookKey{}) != nil {
		return nil
	}
	run := r.matching(HookBefore, w.Table, w.Op)
	if len(run) == 0 {
		return nil
	}
	ctx = context.WithValue(ctx, inHookKey{}, true)
	for _, x := range run {
		if err := r.before(ctx, x, w); err != nil {
			return resource.Refused("refused by data exchange "+x.name, err.Error())
		}
	}
	return nil
}

// before runs one before hook for w as the exchange's user. The subject
// is the row as it will be: the stored row (read as that user) with the
// submitted attributes over it.
func (r *Runner) before(ctx context.Context, x exchange, w resource.Write) error {
	ctx, err := r.asUser(ctx, x)
	if err != nil {
		return err
	}
	subject := map[string]any{}
	if w.RefID != "" {
		row, err := r.o.Res().Get(ctx, w.Table, w.RefID, resource.Query{})
		if err != nil {
			return fmt.Errorf("the exchange user cannot read the row: %w", err)
		}
		subject = maps.Clone(row.Attrs)
	}
	maps.Copy(subject, w.Attrs)
	return r.target(ctx, x, resource.Change{Table: w.Table, Op: w.Op, RefID: w.RefID, Row: subject}, subject)
}
