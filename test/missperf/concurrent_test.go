package missperf

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// TestDeepPagesNeverStaleUnderConcurrentCreates: deep pages are read from
// several goroutines while others create rows, so list reads meet reads of
// the same query in flight under older stamps (resource/list_order.go waits
// for them and follows the creates since). Every answer must count at
// least the rows whose create had been answered before the read was sent,
// and once the writers stop, every sort's deep page equals the oracle.
// (Whether a read meets one in flight depends on timing: a change that
// answered a waiter with the older read's list failed about one run in
// three here; the final comparison fails on any list that lost a row.)
func TestDeepPagesNeverStaleUnderConcurrentCreates(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_todo.yaml", todoSchema),
		testserver.WithConfig(func(c *server.Config) { c.HTTP.ReadCacheMB = 0 }))
	s.Admin(t)
	ann := s.User(t, "Ann", "ann@example.test", "ann-password")
	const seeded, writers, perWriter, readers = 1500, 3, 15, 6
	seedTodos(t, s, "ann@example.test", seeded)
	sortsToCheck := []string{"title", "-title", "due", "-created_at"}
	deep := func(srt string) string { return "/api/todo?page%5Bsize%5D=10&page%5Bnumber%5D=120&sort=" + srt }

	var created atomic.Int64 // creates answered so far
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				r := s.Do(t, http.MethodPost, "/api/todo", map[string]any{"data": map[string]any{"type": "todo",
					"attributes": map[string]any{"title": fmt.Sprintf("todo %03d", (w*31+i*7)%seeded), "due": fmt.Sprintf("2027-02-%02d", i+1)}}}, ann)
				if r.Status != http.StatusCreated {
					t.Errorf("create: %d %s", r.Status, r.Body)
					return
				}
				created.Add(1)
			}
		}()
	}
	var rwg sync.WaitGroup
	for g := range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				before := created.Load()
				got := getList(t, s, deep(sortsToCheck[(g+i)%len(sortsToCheck)]), ann)
				if int64(got.Links.Total) < seeded+before {
					t.Errorf("a deep page counted %d rows after %d creates had been answered (want at least %d): stale", got.Links.Total, before, seeded+before)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()

	total := seeded + writers*perWriter
	for _, srt := range sortsToCheck {
		tie := ",id"
		if srt[0] == '-' {
			tie = ",-id"
		}
		got := getList(t, s, deep(srt), ann)
		all := getList(t, s, "/api/todo?page%5Bsize%5D=1000&page%5Bnumber%5D=2&sort="+srt+tie, ann)
		want := idsOf(all)[190:200] // rows 1,190 to 1,199 of the whole order
		if got.Links.Total != total || all.Links.Total != total || !slices.Equal(idsOf(got), want) {
			t.Fatalf("sort %s after the writers stopped: deep page %v (total %d), want %v (total %d)", srt, idsOf(got), got.Links.Total, want, total)
		}
	}
}
