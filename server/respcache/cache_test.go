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
	c.Put("k", 7, body)
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
	c.Put("k", 8, []byte("new"))
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
		c.Put("key-"+strconv.Itoa(i), 1, body)
		if _, b, _, _ := c.Stats(); b > max {
			t.Fatalf("after %d puts the cache holds %d bytes, bound %d", i+1, b, max)
		}
	}
	if n, _, _, _ := c.Stats(); n == 0 {
		t.Error("eviction emptied the cache")
	}
	c.Put("huge", 1, make([]byte, maxEntryBytes+1))
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
	c.Put("k", 1, []byte("x"))
	if _, ok := c.Get("k", 1); ok {
		t.Error("a nil cache answered")
	}
	if n, _, _, _ := c.Stats(); n != 0 {
		t.Error("a nil cache has entries")
	}
}
