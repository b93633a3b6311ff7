package store

import (
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
)

func TestMetaCacheFollowsChanges(t *testing.T) {
	now := time.Unix(1000, 0)
	s := &Store{cache: newMetaCache(), now: func() time.Time { return now }}
	s.cache.boxes["box1"] = &boxMeta{loaded: now, byRef: map[string]Meta{"m1": {RefID: "m1", UID: 1}}}
	s.cache.boxes["box2"] = &boxMeta{loaded: now, byRef: map[string]Meta{}}
	s.cache.where["m1"] = "box1"
	row := func(box string, uid int64, flags string) map[string]any {
		return map[string]any{"mail_box_id": box, "uid": uid, "flags": flags, "size": int64(10)}
	}
	uids := func(box string) []uint32 {
		msgs, ok := s.cache.cached(box, now)
		if !ok {
			return nil
		}
		var out []uint32
		for _, m := range msgs {
			out = append(out, m.UID)
		}
		return out
	}
	s.Observe(resource.Change{Table: TableMail, Op: resource.OpCreate, RefID: "m2", Row: row("box1", 2, "")})
	s.Observe(resource.Change{Table: TableMail, Op: resource.OpCreate, RefID: "x", Row: row("uncached", 1, "")})
	if got := uids("box1"); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("after create: %v", got)
	}
	s.Observe(resource.Change{Table: TableMail, Op: resource.OpUpdate, RefID: "m1", Row: row("box1", 1, `\Seen`)})
	if msgs, _ := s.cache.cached("box1", now); !HasFlag(msgs[0].Flags, `\Seen`) {
		t.Fatalf("flags not updated: %+v", msgs)
	}
	// A row moved to another mailbox leaves the first.
	s.Observe(resource.Change{Table: TableMail, Op: resource.OpUpdate, RefID: "m2", Row: row("box2", 7, "")})
	if a, b := uids("box1"), uids("box2"); len(a) != 1 || len(b) != 1 || b[0] != 7 {
		t.Fatalf("after move: %v %v", a, b)
	}
	s.Observe(resource.Change{Table: TableMail, Op: resource.OpDelete, RefID: "m1"})
	if got := uids("box1"); len(got) != 0 {
		t.Fatalf("after delete: %v", got)
	}
	// Changes seen while a mailbox loads wait for the load.
	s.cache.boxes["box3"] = &boxMeta{loading: true}
	s.Observe(resource.Change{Table: TableMail, Op: resource.OpCreate, RefID: "m9", Row: row("box3", 9, "")})
	if len(s.cache.boxes["box3"].pending) != 1 {
		t.Fatal("change during load not kept")
	}
	// Deleting a mailbox drops its listing; an old one is not trusted.
	s.Observe(resource.Change{Table: TableBox, Op: resource.OpDelete, RefID: "box2"})
	if _, ok := s.cache.cached("box2", now); ok {
		t.Fatal("deleted mailbox still cached")
	}
	if _, ok := s.cache.cached("box1", now.Add(metaTTL+time.Second)); ok {
		t.Fatal("listing older than metaTTL trusted")
	}
}

func TestHeaderCacheBound(t *testing.T) {
	c := newHeaderCache()
	big := make([]byte, maxHeaderCache/20)
	for i := 0; i < 30; i++ {
		c.put(string(rune('a'+i)), big)
	}
	if c.bytes > maxHeaderCache {
		t.Fatalf("cache holds %d bytes, bound %d", c.bytes, maxHeaderCache)
	}
	if _, ok := c.get("a"); ok {
		t.Fatal("the oldest entry was kept")
	}
	if _, ok := c.get(string(rune('a' + 29))); !ok {
		t.Fatal("the newest entry was dropped")
	}
}
