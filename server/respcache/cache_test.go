package respcache

import (
	"bytes"
	"strconv"
	"testing"
)

func TestGetPut(t *testing.T) {
	t.Parallel()
	c := New(0)
	body := []byte(`{"data":[]}`)
	c.Put("k", "t", 7, body)
	for _, tc := range []struct {
		name  string
		key   string
		stamp uint64
		hit   bool
	}{
		{"same key and stamp", "k", 7, true},
		{"newer stamp", "k", 8, false},
		{"older stamp", "k", 6, false},
		{"other key", "k2", 7, false},
	} {
		got, ok := c.Get(tc.key, tc.stamp)
		if ok != tc.hit || (ok && !bytes.Equal(got, body)) {
			t.Errorf("%s: Get = %q, %v; want hit %v", tc.name, got, ok, tc.hit)
		}
	}
	c.Put("k", "t", 8, []byte("new"))
	if got, ok := c.Get("k", 8); !ok || string(got) != "new" {
		t.Errorf("after a new Put: Get = %q, %v", got, ok)
	}
	if n, _, hits, misses := c.Stats(); n != 1 || hits != 2 || misses != 3 {
		t.Errorf("Stats = %d entries, %d hits, %d misses", n, hits, misses)
	}
}

func TestBoundedBytes(t *testing.T) {
	t.Parallel()
	const max = 64 << 10
	c := New(max)
	body := bytes.Repeat([]byte("x"), 1000)
	for i := range 1000 {
		c.Put("key-"+strconv.Itoa(i), "g"+strconv.Itoa(i%7), 1, body)
		if _, b, _, _ := c.Stats(); b > max {
			t.Fatalf("after %d puts the cache holds %d bytes, bound %d", i+1, b, max)
		}
	}
	if n, _, _, _ := c.Stats(); n == 0 {
		t.Error("eviction emptied the cache")
	}
	c.Put("huge", "t", 1, make([]byte, maxEntryBytes+1))
	if _, ok := c.Get("huge", 1); ok {
		t.Error("an answer above maxEntryBytes was kept")
	}
}

func TestDisabled(t *testing.T) {
	t.Parallel()
	c := New(-1)
	if c != nil {
		t.Fatal("New(-1) is not nil")
	}
	c.Put("k", "t", 1, []byte("x"))
	if _, ok := c.Get("k", 1); ok {
		t.Error("a nil cache answered")
	}
	if n, _, _, _ := c.Stats(); n != 0 {
		t.Error("a nil cache has entries")
	}
}

// A newer stamp in a group drops the group's older answers at once; an
// answer computed under an older stamp than the group's newest is not
// kept; other groups are untouched.
func TestGroupStamps(t *testing.T) {
	t.Parallel()
	c := New(0)
	c.Put("a1", "a", 5, []byte("1"))
	c.Put("a2", "a", 5, []byte("2"))
	c.Put("b1", "b", 5, []byte("3"))
	c.Put("a3", "a", 6, []byte("4"))
	if n, _, _, _ := c.Stats(); n != 2 {
		t.Errorf("after a newer stamp in group a: %d entries, want 2 (a3, b1)", n)
	}
	if _, ok := c.Get("b1", 5); !ok {
		t.Error("group b lost its entry")
	}
	c.Put("a4", "a", 5, []byte("late"))
	if _, ok := c.Get("a4", 5); ok {
		t.Error("an answer older than its group's stamp was kept")
	}
	c.Put("a3", "a", 6, []byte("again"))
	if got, ok := c.Get("a3", 6); !ok || string(got) != "again" {
		t.Errorf("replacing a3: %q %v", got, ok)
	}
	if _, b, _, _ := c.Stats(); b != entrySize("a3", []byte("again"))+entrySize("b1", []byte("3")) {
		t.Errorf("byte count %d drifted", b)
	}
}
