package realtime

import "reflect"

// matchFilters applies a subscription's filters (contract §1.7):
// EventType must equal the event kind, every other key must equal the
// payload's value after JSON decoding (numbers compare as float64).
func matchFilters(filters map[string]any, e *Event) bool {
	if len(filters) == 0 {
		return true
	}
	for k, want := range filters {
		if k == "EventType" {
			if s, ok := want.(string); !ok || s != e.Kind {
				return false
			}
			continue
		}
		payload, err := e.decoded()
		if err != nil {
			return false
		}
		got, ok := payload[k]
		if !ok || !reflect.DeepEqual(got, want) {
			return false
		}
	}
	return true
}
