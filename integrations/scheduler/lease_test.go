package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

// TestRowClaimOncePerSecond: on a real database, eight concurrent claims
// of one task's second succeed exactly once; an earlier or the same
// second is refused afterwards, a later one is claimed.
func TestRowClaimOncePerSecond(t *testing.T) {
	res := resourcetest.New(t, "Tables: []\n")
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	row, err := res.Create(ctx, TaskTable, resource.Input{Attributes: map[string]any{
		"name": "t", "action_name": "a", "entity_name": "world", "schedule": "@every 1s", "active": false, "attributes": "{}", "job_type": "action"}})
	if err != nil {
		t.Fatal(err)
	}
	c := RowClaim{Res: func() resource.Service { return res }}
	const sec = 1_900_000_000
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := c.Claim(context.Background(), row.RefID, sec)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d of 8 concurrent claims of one second succeeded, want 1", won.Load())
	}
	for _, tc := range []struct {
		sec  int64
		want bool
	}{{sec, false}, {sec - 5, false}, {sec + 1, true}, {sec + 1, false}} {
		if ok, err := c.Claim(context.Background(), row.RefID, tc.sec); ok != tc.want || err != nil {
			t.Errorf("claim of second %d: %v, %v; want %v", tc.sec, ok, err, tc.want)
		}
	}
}
