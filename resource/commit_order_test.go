package resource_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
	"github.com/apiary/apiary/storage/db/dbtest"
)

// TestUpdateEventsInCommitOrder: writers updating one row at once on
// separate connections; a subscriber that takes its time (as a cluster
// publish may) must still see the updates in commit order, so after each
// round the last event it saw carries the value the row holds. Without the
// per-table commit lock a writer whose commit came first publishes while a
// later one is still in the subscriber, and the order inverts.
func TestUpdateEventsInCommitOrder(t *testing.T) {
	t.Parallel()
	res := resourcetest.New(t, "Tables:\n  - TableName: counter\n    Columns:\n      - {Name: title, ColumnType: label}\n")
	row, err := res.Create(sys(), "counter", resource.Input{Attributes: map[string]any{"title": "start"}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	var calls atomic.Int64
	cancel := res.Subscribe(func(c resource.Change) {
		if c.Table != "counter" || c.Op != resource.OpUpdate {
			return
		}
		if calls.Add(1)%2 == 0 {
			time.Sleep(15 * time.Millisecond)
		}
		mu.Lock()
		seen = append(seen, fmt.Sprint(c.Row["title"]))
		mu.Unlock()
	})
	defer cancel()
	const rounds, writers = 12, 12
	for round := range rounds {
		mu.Lock()
		seen = seen[:0]
		mu.Unlock()
		var wg sync.WaitGroup
		var okMu sync.Mutex
		ok := 0
		for w := range writers {
			wg.Go(func() {
				_, err := res.Update(sys(), "counter", row.RefID, resource.Input{Attributes: map[string]any{"title": fmt.Sprintf("r%d-w%d", round, w)}})
				if err != nil {
					t.Logf("update refused (concurrent writers): %v", err)
					return
				}
				okMu.Lock()
				ok++
				okMu.Unlock()
			})
		}
		wg.Wait()
		got, err := res.Get(sys(), "counter", row.RefID, resource.Query{})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		events := append([]string(nil), seen...)
		mu.Unlock()
		if len(events) != ok {
			t.Fatalf("round %d: %d updates committed, %d events", round, ok, len(events))
		}
		if ok > 0 && events[len(events)-1] != got.Attrs["title"] {
			t.Fatalf("round %d on %s: last event %q, row holds %q (events %v)", round, dbtest.Type(), events[len(events)-1], got.Attrs["title"], events)
		}
	}
}
