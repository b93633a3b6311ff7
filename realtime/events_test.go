package realtime

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// change sends a committed change through the hub as the resource layer does.
func (th *testHub) change(c resource.Change) {
	th.res.mu.Lock()
	fn := th.res.onChange
	th.res.mu.Unlock()
	fn(c)
}

// TestRowEventsPerSubscriber: each subscriber gets a row event only when it
// may read the row, never a secret column, and a delete carries only the
// reference id.
func TestRowEventsPerSubscriber(t *testing.T) {
	for _, tc := range []struct {
		name         string
		change       resource.Change
		admin, owner bool // whether the admin and the owner (ann) get it
		bob          bool
		wantData     map[string]any
		absent       []string
	}{
		{name: "owner-only row", change: resource.Change{Table: "todo", Op: resource.OpCreate, RefID: "r1",
			Row: map[string]any{"title": "a", "pin": "secret", "id": int64(5)}, Object: auth.Object{OwnerID: 2, Permission: auth.UserCRUD}},
			admin: true, owner: true, wantData: map[string]any{"title": "a", "reference_id": "r1", "__type": "todo"}, absent: []string{"pin", "id"}},
		{name: "guest-readable row", change: resource.Change{Table: "todo", Op: resource.OpUpdate, RefID: "r2",
			Row: map[string]any{"title": "b"}, Object: auth.Object{OwnerID: 2, Permission: auth.UserCRUD | auth.GuestRead}},
			admin: true, owner: true, bob: true, wantData: map[string]any{"title": "b"}},
		{name: "delete", change: resource.Change{Table: "todo", Op: resource.OpDelete, RefID: "r3",
			Object: auth.Object{OwnerID: 2, Permission: auth.UserCRUD}},
			admin: true, owner: true, wantData: map[string]any{"reference_id": "r3"}, absent: []string{"title", "__type"}},
		{name: "delete of a row shared with bob's group", change: resource.Change{Table: "todo", Op: resource.OpDelete, RefID: "r4",
			Object: auth.Object{OwnerID: 2, Permission: auth.UserCRUD, Groups: []auth.ObjectGroup{{GroupID: 7, Permission: auth.GroupRead}}}},
			admin: true, owner: true, bob: true, wantData: map[string]any{"reference_id": "r4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th := newTestHub(t)
			who := map[string]bool{"admin": tc.admin, "ann": tc.owner, "bob": tc.bob}
			clients := map[string]*liveClient{}
			for name := range who {
				c := th.dial(name)
				c.call("subscribe", map[string]any{"topicName": "todo"})
				if f := c.read(); f.OK == nil || !*f.OK {
					t.Fatalf("%s subscribe: %+v", name, f)
				}
				clients[name] = c
			}
			th.change(tc.change)
			// A marker event everyone may read follows, so a subscriber
			// that should not get the first sees the marker first.
			th.change(resource.Change{Table: "todo", Op: resource.OpUpdate, RefID: "marker", Row: map[string]any{"title": "m"},
				Object: auth.Object{Permission: auth.GuestRead}})
			for name, gets := range who {
				f := clients[name].read()
				var data map[string]any
				if err := json.Unmarshal(f.Data, &data); err != nil {
					t.Fatal(err)
				}
				if !gets {
					if data["reference_id"] != "marker" {
						t.Fatalf("%s got the event: %s", name, f.Data)
					}
					continue
				}
				if f.Type != "event" || f.Topic != "todo" || f.Event != string(tc.change.Op) || f.Source != "database" {
					t.Fatalf("%s: frame %+v", name, f)
				}
				for k, v := range tc.wantData {
					if data[k] != v {
						t.Fatalf("%s: %s = %v, want %v (%s)", name, k, data[k], v, f.Data)
					}
				}
				for _, k := range tc.absent {
					if _, ok := data[k]; ok {
						t.Fatalf("%s: %s present: %s", name, k, f.Data)
					}
				}
			}
		})
	}
}

// TestNoSubscriberNoEncoding: a change on a table nobody subscribes to is
// not published at all.
func TestNoSubscriberNoEncoding(t *testing.T) {
	th := newTestHub(t)
	var got []*Event
	var mu sync.Mutex
	cancel := th.hub.Broker().Subscribe("page", func(e *Event) { mu.Lock(); got = append(got, e); mu.Unlock() })
	th.change(resource.Change{Table: "todo", Op: resource.OpCreate, RefID: "r", Row: map[string]any{}})
	th.change(resource.Change{Table: "nope", Op: resource.OpCreate, RefID: "r", Row: map[string]any{}})
	th.change(resource.Change{Table: "page", Op: resource.OpCreate, RefID: "p", Row: map[string]any{"body": "x"}})
	// Events are published after the commit-order lock, by the outbox.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
	}
	cancel()
	th.change(resource.Change{Table: "page", Op: resource.OpCreate, RefID: "q", Row: map[string]any{}})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Row.RefID != "p" {
		t.Fatalf("events %v", got)
	}
}

// TestFilteredSubscription: filters and EventType select the events a
// subscription gets.
func TestFilteredSubscription(t *testing.T) {
	th := newTestHub(t)
	c := th.dial("admin")
	c.call("subscribe", map[string]any{"topicName": "todo", "filters": map[string]any{"EventType": "update", "title": "yes"}})
	c.read()
	for _, ch := range []resource.Change{
		{Table: "todo", Op: resource.OpCreate, RefID: "1", Row: map[string]any{"title": "yes"}},
		{Table: "todo", Op: resource.OpUpdate, RefID: "2", Row: map[string]any{"title": "no"}},
		{Table: "todo", Op: resource.OpUpdate, RefID: "3", Row: map[string]any{"title": "yes"}},
	} {
		th.change(ch)
	}
	f := c.read()
	var data map[string]any
	_ = json.Unmarshal(f.Data, &data)
	if data["reference_id"] != "3" {
		t.Fatalf("got %s", f.Data)
	}
	c.quiet()
}

// TestHubPublish: user messages over the hub's Publish (the HTTP action),
// with Daptin's errors and statuses.
func TestHubPublish(t *testing.T) {
	th := newTestHub(t)
	ctx := context.Background()
	if _, err := th.hub.o.Topics.Create(ctx, "room", TopicMeta{Owner: "u-ann", Permission: DefaultTopicPermission}); err != nil {
		t.Fatal(err)
	}
	th.res.tablePer["page"] = auth.Object{Permission: auth.GuestRead}
	for _, tc := range []struct {
		name   string
		p      auth.Principal
		topic  string
		msg    map[string]any
		status int
		err    string
	}{
		{"owner publishes", pAnn, "room", map[string]any{"a": 1.0}, 0, ""},
		{"no topic", pAnn, "", map[string]any{}, 400, "missing or invalid topicName"},
		{"no message", pAnn, "room", nil, 400, "missing or invalid message"},
		{"guest", auth.Guest(), "room", map[string]any{}, 403, "permission denied: room"},
		{"not the owner", pBob, "room", map[string]any{}, 403, "permission denied: room"},
		{"missing topic", pAnn, "gone", map[string]any{}, 404, "topic not found: gone"},
		{"table topic", pAnn, "todo", map[string]any{"t": "x"}, 0, ""},
		{"table without create", pAnn, "page", map[string]any{}, 403, "permission denied: page"},
		{"admin on a gated table", pAdmin, "page", map[string]any{}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *Event
			cancel := th.hub.Broker().Subscribe(tc.topic, func(e *Event) { got = e })
			defer cancel()
			err := th.hub.Publish(ctx, tc.p, tc.topic, tc.msg)
			if tc.err == "" {
				if err != nil || got == nil || got.Kind != "new-message" || got.Source != tc.p.UserRef {
					t.Fatalf("err %v, event %+v", err, got)
				}
				var m map[string]any
				if json.Unmarshal(got.Data, &m) != nil || len(m) != len(tc.msg) {
					t.Fatalf("data %s", got.Data)
				}
				return
			}
			pe, ok := err.(*PublishError)
			if !ok || pe.Status != tc.status || pe.Error() != tc.err || got != nil {
				t.Fatalf("err %v (%T), want %d %q; event %v", err, err, tc.status, tc.err, got)
			}
		})
	}
}

// TestEventFramesOfEverySize: events written as raw frames, in batches,
// are read by a standard WebSocket client in order, whatever their size.
func TestEventFramesOfEverySize(t *testing.T) {
	th := newTestHub(t)
	c := th.dial("admin")
	c.call("subscribe", map[string]any{"topicName": "todo"})
	c.read()
	sizes := []int{0, 1, 100, 126, 1000, 65535, 70000, 5}
	for i := 0; i < 3; i++ { // back to back: the writer catches up in batches
		for _, n := range sizes {
			th.change(resource.Change{Table: "todo", Op: resource.OpUpdate, RefID: "r", Row: map[string]any{"title": strings.Repeat("x", n)}})
		}
	}
	for i := 0; i < 3; i++ {
		for _, n := range sizes {
			f := c.read()
			var data map[string]any
			if err := json.Unmarshal(f.Data, &data); err != nil {
				t.Fatal(err)
			}
			if got := len(data["title"].(string)); got != n {
				t.Fatalf("round %d: title of %d bytes, want %d", i, got, n)
			}
		}
	}
}
