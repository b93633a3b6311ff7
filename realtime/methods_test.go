package realtime

import (
	"encoding/json"
	"testing"

	"github.com/apiary/apiary/auth"
)

// step is one request of a scripted /live conversation and the answer
// expected: ok with data containing want, or the error message.
type step struct {
	as     string // which client sends it: "ann" (default) or "bob"
	method string
	attrs  map[string]any
	errMsg string         // expected error; "" means success
	want   map[string]any // keys expected in the success data
	silent bool           // no answer at all (Daptin's silent no-ops)
	// has and lacks are names the success data's topics list must and
	// must not hold.
	has, lacks []string
}

func TestMethods(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*testHub)
		steps []step
	}{
		{name: "unknown method", steps: []step{{method: "frobnicate", errMsg: "no such method"}}},
		{name: "subscribe to a table", steps: []step{{method: "subscribe", attrs: map[string]any{"topicName": "todo"}, want: map[string]any{"topic": "todo"}}}},
		{name: "subscribe refused by the table gate", setup: func(th *testHub) {
			th.res.tablePer["todo"] = auth.Object{Permission: 0}
		}, steps: []step{{method: "subscribe", attrs: map[string]any{"topicName": "todo"}, errMsg: "permission denied: todo"}}},
		{name: "subscribe to a missing topic", steps: []step{{method: "subscribe", attrs: map[string]any{"topicName": "nope"}, errMsg: "topic not found: nope"}}},
		{name: "subscribe without a topic is silent", steps: []step{{method: "subscribe", attrs: map[string]any{}, silent: true}}},
		{name: "comma-separated subscribe answers per topic", steps: []step{
			{method: "subscribe", attrs: map[string]any{"topicName": "todo, page"}, want: map[string]any{"topic": "todo"}},
			{method: "", want: map[string]any{"topic": "page"}},
		}},
		{name: "unsubscribe", steps: []step{
			{method: "subscribe", attrs: map[string]any{"topicName": "todo"}, want: map[string]any{"topic": "todo"}},
			{method: "unsubscribe", attrs: map[string]any{"topicName": "todo"}, want: map[string]any{"topic": "todo"}},
			{method: "unsubscribe", attrs: map[string]any{"topicName": "todo"}, silent: true},
		}},
		{name: "user topic life cycle", steps: []step{
			{method: "create-topicName", attrs: map[string]any{"name": "chat"}, want: map[string]any{"topicName": "chat", "created": true}},
			{method: "create-topicName", attrs: map[string]any{"name": "chat"}, errMsg: "topic already exists"},
			{method: "get-topic-permission", attrs: map[string]any{"topicName": "chat"}, want: map[string]any{"owner": "u-ann", "type": "user", "permission": float64(DefaultTopicPermission)}},
			{as: "bob", method: "subscribe", attrs: map[string]any{"topicName": "chat"}, errMsg: "permission denied: chat"},
			{as: "bob", method: "destroy-topicName", attrs: map[string]any{"name": "chat"}, errMsg: "permission denied"},
			{as: "bob", method: "set-topic-permission", attrs: map[string]any{"topicName": "chat", "permission": float64(2)}, errMsg: "only owner or admin can change permissions"},
			{method: "set-topic-permission", attrs: map[string]any{"topicName": "chat", "permission": float64(DefaultTopicPermission | int64(auth.GuestPeek|auth.GuestRead))}, want: map[string]any{"permission": float64(DefaultTopicPermission | 3)}},
			{as: "bob", method: "subscribe", attrs: map[string]any{"topicName": "chat"}, want: map[string]any{"topic": "chat"}},
			{as: "bob", method: "new-message", attrs: map[string]any{"topicName": "chat", "message": map[string]any{"x": 1}}, errMsg: "permission denied: chat"},
			{method: "destroy-topicName", attrs: map[string]any{"name": "chat"}, want: map[string]any{"destroyed": true}},
			{method: "destroy-topicName", attrs: map[string]any{"name": "chat"}, errMsg: "topic not found"},
		}},
		{name: "system topics are reserved", steps: []step{
			{method: "create-topicName", attrs: map[string]any{"name": "todo"}, errMsg: "cannot create topic with reserved name"},
			{method: "destroy-topicName", attrs: map[string]any{"name": "todo"}, errMsg: "cannot delete system topic"},
			{method: "set-topic-permission", attrs: map[string]any{"topicName": "todo", "permission": float64(1)}, errMsg: "cannot modify system topic permissions"},
			{method: "get-topic-permission", attrs: map[string]any{"topicName": "todo"}, want: map[string]any{"type": "system", "topicName": "todo"}},
		}},
		{name: "set-topic-permission input", steps: []step{
			{method: "create-topicName", attrs: map[string]any{"name": "t"}, want: map[string]any{"created": true}},
			{method: "set-topic-permission", attrs: map[string]any{"permission": float64(1)}, errMsg: "missing or invalid topicName"},
			{method: "set-topic-permission", attrs: map[string]any{"topicName": "t"}, errMsg: "missing permission value"},
			{method: "set-topic-permission", attrs: map[string]any{"topicName": "t", "permission": "7"}, errMsg: "invalid permission value"},
			{method: "set-topic-permission", attrs: map[string]any{"topicName": "t", "permission": 1.5}, errMsg: "invalid permission value"},
			{method: "set-topic-permission", attrs: map[string]any{"topicName": "t", "permission": float64(-1)}, errMsg: "invalid permission value"},
			{method: "set-topic-permission", attrs: map[string]any{"topicName": "x", "permission": float64(1)}, errMsg: "topic not found"},
			{method: "get-topic-permission", attrs: map[string]any{}, errMsg: "missing or invalid topicName"},
			{method: "get-topic-permission", attrs: map[string]any{"topicName": "x"}, errMsg: "topic not found"},
		}},
		{name: "get-topic-permission of a gated table", setup: func(th *testHub) {
			th.res.tablePer["todo"] = auth.Object{Permission: 0}
		}, steps: []step{{method: "get-topic-permission", attrs: map[string]any{"topicName": "todo"}, errMsg: "permission denied"}}},
		{name: "new-message errors", steps: []step{
			{method: "new-message", attrs: map[string]any{"topicName": "nope", "message": map[string]any{}}, errMsg: "topic does not exist: nope"},
			{method: "new-message", attrs: map[string]any{"message": map[string]any{}}, errMsg: "missing or invalid topicName"},
			{method: "new-message", attrs: map[string]any{"topicName": "todo"}, errMsg: "missing or invalid message"},
		}},
		{name: "list-topicName shows what the caller may peek", setup: func(th *testHub) {
			th.res.tablePer["page"] = auth.Object{Permission: 0}
		}, steps: []step{
			{method: "create-topicName", attrs: map[string]any{"name": "mine"}, want: map[string]any{"created": true}},
			{as: "bob", method: "create-topicName", attrs: map[string]any{"name": "bobs"}, want: map[string]any{"created": true}},
			{method: "list-topicName", has: []string{"todo", "mine"}, lacks: []string{"page", "bobs"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th := newTestHub(t)
			if tc.setup != nil {
				tc.setup(th)
			}
			clients := map[string]*liveClient{"ann": th.dial("ann"), "bob": th.dial("bob")}
			for i, st := range tc.steps {
				as := st.as
				if as == "" {
					as = "ann"
				}
				c := clients[as]
				if st.method != "" {
					c.call(st.method, st.attrs)
				}
				if st.silent {
					c.call("get-topic-permission", map[string]any{"topicName": "todo"}) // a marker: the next answer is its
					if f := c.read(); f.Method != "get-topic-permission" {
						t.Fatalf("step %d: %s answered %+v", i, st.method, f)
					}
					continue
				}
				f := c.read()
				if f.Type != "response" || f.OK == nil {
					t.Fatalf("step %d: not a response: %+v", i, f)
				}
				if st.errMsg != "" {
					if *f.OK || f.Error != st.errMsg {
						t.Fatalf("step %d %s: got ok=%v error %q, want %q", i, st.method, *f.OK, f.Error, st.errMsg)
					}
					continue
				}
				if !*f.OK {
					t.Fatalf("step %d %s: refused: %q", i, st.method, f.Error)
				}
				var data map[string]any
				if err := json.Unmarshal(f.Data, &data); err != nil {
					t.Fatal(err)
				}
				topics := map[string]bool{}
				if list, ok := data["topics"].([]any); ok {
					for _, x := range list {
						topics[x.(string)] = true
					}
				}
				for _, n := range st.has {
					if !topics[n] {
						t.Fatalf("step %d: %s not listed: %s", i, n, f.Data)
					}
				}
				for _, n := range st.lacks {
					if topics[n] {
						t.Fatalf("step %d: %s listed: %s", i, n, f.Data)
					}
				}
				for k, v := range st.want {
					if got := data[k]; got != v {
						t.Fatalf("step %d %s: %s = %v, want %v (data %s)", i, st.method, k, got, v, f.Data)
					}
				}
			}
		})
	}
}
