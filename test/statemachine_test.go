package test

import (
	"net/http"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// stateMachineSchema tracks todo rows with the todo_lifecycle machine.
const stateMachineSchema = `
StateMachineDescriptions:
  - Name: todo_lifecycle
    Label: Todo lifecycle
    InitialState: open
    Events:
      - {Name: start,  Label: Start,  Src: [open],        Dst: in_progress}
      - {Name: finish, Label: Finish, Src: [in_progress], Dst: done}
Tables:
  - TableName: todo
    IsStateTrackingEnabled: true
    Columns:
      - {Name: title, ColumnType: label}
  - TableName: note
    Columns:
      - {Name: body, ColumnType: label}
`

// smdID finds a state machine's id through the API.
func smdID(t *testing.T, s *testserver.Server, tok, name string) string {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/smd"+q("query", `[{"column":"name","operator":"is","value":"`+name+`"}]`), nil, tok)
	rows := listOf(t, r)
	if len(rows) != 1 {
		t.Fatalf("smd %s: %s", name, r.Body)
	}
	return rows[0]["id"].(string)
}

func trackStart(t *testing.T, s *testserver.Server, tok, smd, typ, id string) testserver.Response {
	t.Helper()
	return s.Do(t, http.MethodPost, "/track/start/"+smd, map[string]any{"typeName": typ, "referenceId": id}, tok)
}

func trackEvent(t *testing.T, s *testserver.Server, tok, typ, stateID, event string) testserver.Response {
	t.Helper()
	return s.Do(t, http.MethodPost, "/track/event/"+typ+"/"+stateID+"/"+event, nil, tok)
}

func currentState(t *testing.T, s *testserver.Server, tok, stateID string) any {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/todo_state/"+stateID, nil, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("get todo_state: %d %s", r.Status, r.Body)
	}
	return attrs(dataOf(t, r))["current_state"]
}

func TestStateMachineTransitions(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_state.yaml", stateMachineSchema))
	admin := s.Admin(t)
	smd := smdID(t, s, admin, "todo_lifecycle")
	todo := create(t, s, admin, "todo", map[string]any{"title": "ship it"}, nil)

	r := trackStart(t, s, admin, smd, "todo", todo)
	if r.Status != http.StatusOK {
		t.Fatalf("track start: %d %s", r.Status, r.Body)
	}
	d := dataOf(t, r)
	stateID, _ := d["id"].(string)
	if d["type"] != "todo_state" || stateID == "" || attrs(d)["current_state"] != "open" || attrs(d)["is_state_of_todo"] != todo {
		t.Fatalf("track start answer: %s", r.Body)
	}

	states := listOf(t, s.Do(t, http.MethodGet, "/api/todo/"+todo+"/todo_has_state", nil, admin))
	if len(states) != 1 || states[0]["id"] != stateID || attrs(states[0])["current_state"] != "open" {
		t.Fatalf("todo_has_state: %+v", states)
	}

	for _, step := range []struct{ event, want string }{{"start", "in_progress"}, {"finish", "done"}} {
		r := trackEvent(t, s, admin, "todo", stateID, step.event)
		if r.Status != http.StatusOK || len(r.Body) != 0 {
			t.Fatalf("event %s: %d %q", step.event, r.Status, r.Body)
		}
		if got := currentState(t, s, admin, stateID); got != step.want {
			t.Fatalf("after %s: state %v, want %s", step.event, got, step.want)
		}
	}

	refused := []struct {
		name, path string
		body       any
		status     int
	}{
		{"event not allowed from state", "/track/event/todo/" + stateID + "/start", nil, http.StatusBadRequest},
		{"unknown event", "/track/event/todo/" + stateID + "/explode", nil, http.StatusBadRequest},
		{"type without state tracking", "/track/event/note/" + stateID + "/start", nil, http.StatusBadRequest},
		{"unknown state row", "/track/event/todo/01a2077d-0000-7000-8000-000000000000/start", nil, http.StatusNotFound},
		{"start: unknown smd", "/track/start/01a2077d-0000-7000-8000-000000000000", map[string]any{"typeName": "todo", "referenceId": todo}, http.StatusNotFound},
		{"start: body not JSON", "/track/start/" + smd, "{", http.StatusBadRequest},
		{"start: no referenceId", "/track/start/" + smd, map[string]any{"typeName": "todo"}, http.StatusBadRequest},
		{"start: no state tracking", "/track/start/" + smd, map[string]any{"typeName": "note", "referenceId": todo}, http.StatusBadRequest},
		{"start: unknown subject", "/track/start/" + smd, map[string]any{"typeName": "todo", "referenceId": "01a2077d-0000-7000-8000-000000000000"}, http.StatusNotFound},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(t, http.MethodPost, c.path, c.body, admin)
			if r.Status != c.status {
				t.Fatalf("%d, want %d: %s", r.Status, c.status, r.Body)
			}
			errorTitle(t, r)
		})
	}
	if got := currentState(t, s, admin, stateID); got != "done" {
		t.Errorf("refused calls changed the state to %v", got)
	}
}

// TestStateMachinePermissions: rows get DefaultPermission (561441) once an
// admin exists, which has the guest execute bit, so the rows are narrowed
// to their owner before another user is refused.
func TestStateMachinePermissions(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_state.yaml", stateMachineSchema))
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	smd := smdID(t, s, admin, "todo_lifecycle")
	todo := create(t, s, admin, "todo", map[string]any{"title": "admin's todo"}, nil)
	r := trackStart(t, s, admin, smd, "todo", todo)
	if r.Status != http.StatusOK {
		t.Fatalf("track start: %d %s", r.Status, r.Body)
	}
	stateID := dataOf(t, r)["id"].(string)
	ownerOnly := ownerRead | ownerUpdate | 128 | 4096 // + owner peek and execute

	if r := trackEvent(t, s, "", "todo", stateID, "start"); r.Status != http.StatusUnauthorized {
		t.Errorf("guest event: %d %s", r.Status, r.Body)
	} else {
		errorTitle(t, r)
	}
	mustPatch(t, s, admin, "todo_state", stateID, map[string]any{"permission": ownerOnly})
	if r := trackEvent(t, s, bob, "todo", stateID, "start"); r.Status != http.StatusForbidden {
		t.Errorf("event without execute on the state row: %d %s", r.Status, r.Body)
	} else {
		errorTitle(t, r)
	}
	if got := currentState(t, s, admin, stateID); got != "open" {
		t.Errorf("refused events changed the state to %v", got)
	}
	if r := trackEvent(t, s, admin, "todo", stateID, "start"); r.Status != http.StatusOK {
		t.Errorf("admin event: %d %s", r.Status, r.Body)
	}

	if r := trackStart(t, s, bob, smd, "todo", todo); r.Status != http.StatusForbidden {
		t.Errorf("start on a todo bob cannot read: %d %s", r.Status, r.Body)
	}
	mustPatch(t, s, admin, "todo", todo, map[string]any{"permission": 561441 | guestRead})
	if r := trackStart(t, s, bob, smd, "todo", todo); r.Status != http.StatusOK {
		t.Errorf("start on a readable todo: %d %s", r.Status, r.Body)
	}
	mustPatch(t, s, admin, "smd", smd, map[string]any{"permission": ownerOnly})
	if r := trackStart(t, s, bob, smd, "todo", todo); r.Status != http.StatusForbidden {
		t.Errorf("start without execute on the smd row: %d %s", r.Status, r.Body)
	}
	if states := listOf(t, s.Do(t, http.MethodGet, "/api/todo/"+todo+"/todo_has_state", nil, admin)); len(states) != 2 {
		t.Errorf("todo_has_state lists %d states, want 2", len(states))
	}
}
