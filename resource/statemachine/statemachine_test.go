package statemachine

import (
	"errors"
	"strings"
	"testing"

	"github.com/apiary/apiary/schema"
)

const trackedSchema = `
Tables:
  - TableName: todo
    IsStateTrackingEnabled: true
    Columns:
      - {Name: title, ColumnType: label}
  - TableName: note
    Columns:
      - {Name: body, ColumnType: label}
  - TableName: half
    Columns:
      - {Name: body, ColumnType: label}
  - TableName: half_state
    Columns:
      - {Name: current_state, ColumnType: label}
`

func compile(t *testing.T) *schema.Schema {
	t.Helper()
	f, err := schema.Parse("tracked.yaml", []byte(trackedSchema))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Compile(schema.Source{Path: "tracked.yaml", File: f})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestResolve(t *testing.T) {
	t.Parallel()
	sc := compile(t)
	scenarios := []struct {
		typeName string
		detail   string // "" = resolves
	}{
		{"todo", ""},
		{"missing", `there is no table "missing"`},
		{"note", "table note has no state tracking"},
		{"half", "table half_state has no column half_smd"},
	}
	for _, s := range scenarios {
		t.Run(s.typeName, func(t *testing.T) {
			ts, err := Resolve(sc, s.typeName)
			if s.detail == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ts.Subject.TableName != "todo" || ts.State.TableName != "todo_state" || ts.SMDCol != "todo_smd" || ts.OfCol != "is_state_of_todo" {
					t.Fatalf("tables = %+v", ts)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) || se.Title != "no state tracking" || !strings.Contains(se.Detail, s.detail) {
				t.Fatalf("err = %v, want no state tracking: %s", err, s.detail)
			}
		})
	}
}

func TestInitial(t *testing.T) {
	t.Parallel()
	if got, err := Initial(map[string]any{"initial_state": "open"}); err != nil || got != "open" {
		t.Fatalf("Initial = %q, %v", got, err)
	}
	for _, m := range []map[string]any{{"name": "flow"}, {"name": "flow", "initial_state": ""}, {"name": "flow", "initial_state": 3}} {
		var se *Error
		if _, err := Initial(m); !errors.As(err, &se) || !strings.Contains(se.Detail, "flow has no initial state") {
			t.Fatalf("Initial(%v) err = %v", m, err)
		}
	}
}

const events = `[{"Name":"start","Src":["open"],"Dst":"in_progress"},` +
	`{"Name":"finish","Src":["in_progress"],"Dst":"done"},` +
	`{"Name":"reopen","Src":["in_progress","done"],"Dst":"open"}]`

func TestFire(t *testing.T) {
	t.Parallel()
	decoded, err := ParseEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	asAny := []any{map[string]any{"Name": "start", "Src": []any{"open"}, "Dst": "in_progress"}}
	scenarios := []struct {
		name    string
		events  any
		current string
		event   string
		dst     string // "" = refused
		detail  string
	}{
		{"text", events, "open", "start", "in_progress", ""},
		{"bytes", []byte(events), "done", "reopen", "open", ""},
		{"decoded list", asAny, "open", "start", "in_progress", ""},
		{"typed list", decoded, "in_progress", "finish", "done", ""},
		{"second source", events, "in_progress", "reopen", "open", ""},
		{"wrong state", events, "open", "finish", "", "event finish is not allowed from state open"},
		{"unknown event", events, "open", "explode", "", "state machine flow has no event explode"},
		{"no events", nil, "open", "start", "", "state machine flow has no event start"},
		{"empty text", "", "open", "start", "", "state machine flow has no event start"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			ev, err := Fire(map[string]any{"name": "flow", "events": s.events}, s.current, s.event)
			if s.dst != "" {
				if err != nil || ev.Dst != s.dst {
					t.Fatalf("Fire = %+v, %v; want %s", ev, err, s.dst)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) || se.Title != "invalid transition" || se.Detail != s.detail {
				t.Fatalf("err = %v, want invalid transition: %s", err, s.detail)
			}
		})
	}
}

func TestFireBrokenEvents(t *testing.T) {
	t.Parallel()
	_, err := Fire(map[string]any{"name": "flow", "events": "{not json"}, "open", "start")
	var se *Error
	if err == nil || errors.As(err, &se) || !strings.Contains(err.Error(), "state machine flow: events:") {
		t.Fatalf("err = %v, want a stored-data error (not a bad request)", err)
	}
}
