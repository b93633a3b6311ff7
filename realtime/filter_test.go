package realtime

import (
	"testing"

	"github.com/apiary/apiary/auth"
)

func TestMatchFilters(t *testing.T) {
	e := &Event{Kind: "update", Data: []byte(`{"title":"x","done":true,"n":3,"nested":{"a":1}}`)}
	for _, tc := range []struct {
		name    string
		filters map[string]any
		want    bool
	}{
		{"none", nil, true},
		{"event type", map[string]any{"EventType": "update"}, true},
		{"other event type", map[string]any{"EventType": "create"}, false},
		{"string", map[string]any{"title": "x"}, true},
		{"string mismatch", map[string]any{"title": "y"}, false},
		{"number as float", map[string]any{"n": float64(3)}, true},
		{"bool", map[string]any{"done": true}, true},
		{"missing key", map[string]any{"absent": "x"}, false},
		{"nested object", map[string]any{"nested": map[string]any{"a": float64(1)}}, true},
		{"both", map[string]any{"EventType": "update", "title": "x"}, true},
		{"non-string event type", map[string]any{"EventType": 1.0}, false},
	} {
		if got := matchFilters(tc.filters, e); got != tc.want {
			t.Errorf("%s: got %v", tc.name, got)
		}
	}
	if matchFilters(map[string]any{"a": "b"}, &Event{Data: []byte("not json")}) {
		t.Error("undecodable payload matched")
	}
}

func TestTopicObject(t *testing.T) {
	owner := auth.Principal{UserID: 7, UserRef: "u-7"}
	other := auth.Principal{UserID: 8, UserRef: "u-8"}
	meta := TopicMeta{Owner: "u-7", Permission: DefaultTopicPermission}
	for _, tc := range []struct {
		name string
		p    auth.Principal
		op   auth.Op
		perm int64
		want bool
	}{
		{"owner reads", owner, auth.OpRead, DefaultTopicPermission, true},
		{"other cannot read", other, auth.OpRead, DefaultTopicPermission, false},
		{"other reads with guest read", other, auth.OpRead, 16259, true},
		{"other cannot publish at 16259", other, auth.OpExecute, 16259, false},
		{"other publishes at 16291", other, auth.OpExecute, 16291, true},
		{"other cannot delete", other, auth.OpDelete, 16291, false},
		{"admin deletes", auth.Principal{UserID: 9, UserRef: "u-9", Admin: true}, auth.OpDelete, 0, true},
	} {
		meta.Permission = tc.perm
		if got := auth.Can(tc.p, tc.op, topicObject(tc.p, meta)); got != tc.want {
			t.Errorf("%s: got %v", tc.name, got)
		}
	}
}
