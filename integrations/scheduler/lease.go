package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/apiary/apiary/resource"
)

// Claim decides which node of a cluster runs one firing of a task: Claim
// returns true on exactly one node for a given task and second.
type Claim interface {
	Claim(ctx context.Context, ref string, sec int64) (bool, error)
}

// LocalClaim is the claim of a single node: every firing is its own.
type LocalClaim struct{}

// Claim always succeeds.
func (LocalClaim) Claim(context.Context, string, int64) (bool, error) { return true, nil }

// RowClaim claims a firing on the task row itself, in the database every
// node shares: in one transaction it locks the row, reads last_run and
// moves it to the firing's second when it is earlier. The database, not
// the cluster cache, is the arbiter, so a firing runs once even while the
// cluster's members are still finding each other or moving partitions.
type RowClaim struct {
	Res func() resource.Service
}

// errTaken ends a claim's transaction when another node has the second.
var errTaken = errors.New("firing claimed by another node")

// Claim implements Claim.
func (c RowClaim) Claim(ctx context.Context, ref string, sec int64) (bool, error) {
	ctx = system(ctx)
	err := c.Res().InTx(ctx, func(tx resource.Service) error {
		// An empty update takes the row's lock first, so the read that
		// follows sees every committed claim of this second.
		if _, err := tx.Update(ctx, TaskTable, ref, resource.Input{Attributes: map[string]any{}}); err != nil {
			return err
		}
		cur, err := tx.Get(ctx, TaskTable, ref, resource.Query{Fields: []string{"last_run"}})
		if err != nil {
			return err
		}
		if last, ok := cur.Attrs["last_run"].(time.Time); ok && last.Unix() >= sec {
			return errTaken
		}
		_, err = tx.Update(ctx, TaskTable, ref, resource.Input{Attributes: map[string]any{
			"last_run": time.Unix(sec, 0).UTC().Format(time.RFC3339)}})
		return err
	})
	// A conflict is a concurrent change of the row: another node's claim
	// of this second (on MySQL the second claimant's version check fails
	// instead of waiting for the lock and reading the claim).
	if errors.Is(err, errTaken) || errors.Is(err, resource.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}
