package resource

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

func TestCachesPrincipalTTL(t *testing.T) {
	t.Parallel()
	c := newCaches()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c.storePrincipal("a@x.io", auth.Principal{UserID: 4}, now)
	if p, ok := c.principal("a@x.io", now.Add(principalTTL)); !ok || p.UserID != 4 {
		t.Fatalf("principal at the TTL = %v, %v", p, ok)
	}
	if _, ok := c.principal("a@x.io", now.Add(principalTTL+time.Nanosecond)); ok {
		t.Fatal("principal served after its TTL")
	}
	if _, ok := c.principal("b@x.io", now); ok {
		t.Fatal("unknown principal served")
	}
}

// TestCachesInvalidateFor: which committed changes drop which entries.
func TestCachesInvalidateFor(t *testing.T) {
	t.Parallel()
	join := schema.JoinTableName("todo", "todo_id", "usergroup", "usergroup_id")
	worldShare := schema.JoinTableName(schema.TableWorld, schema.TableWorld+"_id", "usergroup", "usergroup_id")
	scenarios := []struct {
		table                              string
		counts, otherCounts, shared, users bool // survive?
		gates                              bool
	}{
		{"todo", false, true, true, true, true},
		{schema.TableUser, true, true, true, false, true},
		{schema.TableUsergroup, true, true, true, false, true},
		{schema.TableMembership, false, false, false, false, true},
		{join, false, false, false, true, true},
		{schema.TableWorld, false, false, false, true, false},
		{worldShare, false, false, false, true, false},
		{"", false, false, false, true, true},
	}
	for _, s := range scenarios {
		t.Run(s.table, func(t *testing.T) {
			c := newCaches()
			now := time.Now()
			c.storePrincipal("a@x.io", auth.Principal{UserID: 4}, now)
			c.storeCount("todo", "k", 5)
			c.storeCount("note", "k", 6)
			c.storeShared(join, true)
			_, gen := c.gateMap()
			c.storeGates(map[string]gate{"todo": {defaultPerm: 1}}, gen)
			c.invalidateFor([]Change{{Table: s.table}})
			_, countKept := c.count("todo", "k")
			_, otherKept := c.count("note", "k")
			_, sharedKept := c.isShared(join)
			_, userKept := c.principal("a@x.io", now)
			g, _ := c.gateMap()
			if countKept != s.counts || otherKept != s.otherCounts || sharedKept != s.shared || userKept != s.users || (g != nil) != s.gates {
				t.Fatalf("kept counts %v/%v shared %v users %v gates %v; want %v/%v %v %v %v",
					countKept, otherKept, sharedKept, userKept, g != nil, s.counts, s.otherCounts, s.shared, s.users, s.gates)
			}
		})
	}
}

func TestCachesGatesRace(t *testing.T) {
	t.Parallel()
	c := newCaches()
	_, gen := c.gateMap()
	c.invalidateFor([]Change{{Table: schema.TableWorld}}) // committed while the gates loaded
	c.storeGates(map[string]gate{"todo": {}}, gen)
	if g, _ := c.gateMap(); g != nil {
		t.Fatal("gates loaded before a committed change were kept")
	}
	if c.gatesGeneration() != gen+1 {
		t.Fatalf("generation = %d, want %d", c.gatesGeneration(), gen+1)
	}
	c.Invalidate()
	if c.gatesGeneration() != gen+2 {
		t.Fatal("Invalidate did not move the generation")
	}
}

func TestCachesCountBound(t *testing.T) {
	t.Parallel()
	c := newCaches()
	for i := range maxCountsPerTable + 10 {
		c.storeCount("todo", strings.Repeat("k", i+1), int64(i))
	}
	n := 0
	for i := range maxCountsPerTable + 10 {
		if _, ok := c.count("todo", strings.Repeat("k", i+1)); ok {
			n++
		}
	}
	if n == 0 || n > maxCountsPerTable {
		t.Fatalf("%d counts kept, want between 1 and %d", n, maxCountsPerTable)
	}
}

func TestTouchesGates(t *testing.T) {
	t.Parallel()
	for table, want := range map[string]bool{
		schema.TableWorld: true,
		schema.JoinTableName(schema.TableWorld, schema.TableWorld+"_id", "usergroup", "usergroup_id"): true,
		"world_state": false, "todo": false, schema.TableUsergroup: false,
	} {
		if got := touchesGates(table); got != want {
			t.Errorf("touchesGates(%q) = %v, want %v", table, got, want)
		}
	}
}

func TestBusDeliversToEverySubscriberDespitePanics(t *testing.T) {
	t.Parallel()
	b := newBus(slog.New(slog.DiscardHandler))
	var got []string
	cancelA := b.subscribe(func(c Change) { got = append(got, "a:"+c.Table) })
	b.subscribe(func(Change) { panic("boom") })
	b.subscribe(func(c Change) { got = append(got, "c:"+c.Table) })
	b.publish(Change{Table: "todo"})
	if len(got) != 2 {
		t.Fatalf("delivered %v, want both healthy subscribers", got)
	}
	cancelA()
	got = nil
	b.publish(Change{Table: "note"})
	if len(got) != 1 || got[0] != "c:note" {
		t.Fatalf("after cancel delivered %v, want only c:note", got)
	}
}
