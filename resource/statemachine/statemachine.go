package statemachine

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/apiary/apiary/schema"
)

// Names of the state tracking tables and columns.
const (
	// CurrentState is the column of a {t}_state row holding its state.
	CurrentState = "current_state"
	// StateSuffix makes {t}_state of a tracked table t.
	StateSuffix = "_state"
	// AuditSuffix makes {t}_state_audit, where transitions are recorded.
	AuditSuffix = "_audit"
	// OpTransition is the audit operation of a transition.
	OpTransition = "state_transition"
)

// Error is a request the rules refuse (a bad request).
type Error struct {
	Title  string
	Detail string
}

func (e *Error) Error() string { return e.Title + ": " + e.Detail }

func refuse(title, format string, a ...any) error {
	return &Error{Title: title, Detail: fmt.Sprintf(format, a...)}
}

// Tables names the tables and columns of one tracked type.
type Tables struct {
	Subject *schema.Table // {t}
	State   *schema.Table // {t}_state
	SMDCol  string        // {t}_smd: FK to smd
	OfCol   string        // is_state_of_{t}: FK to {t}
}

// Resolve finds the tables of a tracked type. A type without a usable
// {t}_state table is refused.
func Resolve(sc *schema.Schema, typeName string) (Tables, error) {
	ts := Tables{SMDCol: typeName + "_smd", OfCol: "is_state_of_" + typeName}
	subject, ok := sc.Table(typeName)
	if !ok {
		return ts, refuse("no state tracking", "there is no table %q", typeName)
	}
	state, ok := sc.Table(typeName + StateSuffix)
	if !ok || subject.IsJoinTable {
		return ts, refuse("no state tracking", "table %s has no state tracking (IsStateTrackingEnabled)", typeName)
	}
	for _, c := range []string{CurrentState, ts.SMDCol, ts.OfCol} {
		if _, ok := state.Column(c); !ok {
			return ts, refuse("no state tracking", "table %s has no column %s", state.TableName, c)
		}
	}
	ts.Subject, ts.State = subject, state
	return ts, nil
}

// Initial is the initial state of a machine from its smd row's attributes.
func Initial(machine map[string]any) (string, error) {
	initial, _ := machine["initial_state"].(string)
	if initial == "" {
		return "", refuse("invalid state machine", "state machine %v has no initial state", machine["name"])
	}
	return initial, nil
}

// Fire finds eventName among the events of the machine (its smd row's
// attributes) and checks that it may fire from current.
func Fire(machine map[string]any, current, eventName string) (schema.StateEvent, error) {
	events, err := ParseEvents(machine["events"])
	if err != nil {
		return schema.StateEvent{}, fmt.Errorf("state machine %v: events: %w", machine["name"], err)
	}
	for _, ev := range events {
		if ev.Name != eventName {
			continue
		}
		if !slices.Contains(ev.Src, current) {
			return schema.StateEvent{}, refuse("invalid transition", "event %s is not allowed from state %s", eventName, current)
		}
		return ev, nil
	}
	return schema.StateEvent{}, refuse("invalid transition", "state machine %v has no event %s", machine["name"], eventName)
}

// ParseEvents reads the smd events column: a JSON list of events, as text
// or already decoded.
func ParseEvents(v any) ([]schema.StateEvent, error) {
	var raw []byte
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if len(raw) == 0 {
		return nil, nil
	}
	var events []schema.StateEvent
	if err := json.Unmarshal(raw, &events); err != nil {
		return nil, err
	}
	return events, nil
}
