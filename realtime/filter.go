package realtime

import (
	"encoding/json"
	"reflect"
)

// matchFilters applies a subscription's filters (contract §1.7):
// EventType must equal the event kind, every other key must equal the
// payload's value after JSON decoding (numbers compare as float64).
func matchFilters(filters map[string]any, e *Event) bool {
	if len(filters) == 0 {
		return true
	}
	var payload map[string]any
	decoded := false
	for k, want := range filters {
		if k == "EventType" {
			if s, ok := want.(string); !ok || s != e.Kind {
				return false
			}
			continue
		}
		if !decoded {
			decoded = true
			if json.Unmarshal(e.Data, &payload) != nil {
				return false
			}
		}
		got, ok := payload[k]
		if !ok || !reflect.DeepEqual(got, want) {
			return false
		}
	}
	return true
}
