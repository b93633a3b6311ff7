package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestOlricIncrThreeMembers(t *testing.T) {
	a, pa := startMember(t, "s")
	b, pb := startMember(t, "s", pa)
	c, _ := startMember(t, "s", pa, pb)
	for _, m := range []*Olric{a, b, c} {
		waitMembers(t, m, 3)
	}
	ctx := context.Background()
	for k := range 5 {
		key := fmt.Sprintf("key-%d", k)
		for i, m := range []*Olric{a, b, c, a, b, c} {
			v, err := m.Incr(ctx, "limits", key, 3*time.Second)
			if err != nil || v != i+1 {
				t.Errorf("%s: incr %d = %d, %v", key, i+1, v, err)
			}
		}
	}
	if v, _ := b.Incr(ctx, "limits", "short", 300*time.Millisecond); v != 1 {
		t.Fatalf("short = %d", v)
	}
	time.Sleep(500 * time.Millisecond)
	if v, err := c.Incr(ctx, "limits", "short", 300*time.Millisecond); v != 1 || err != nil {
		t.Fatalf("short after its ttl = %d, %v", v, err)
	}
}
