package test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// actionSchema defines actions whose outcomes run in one transaction
// (contract core.md §6.6): complete_and_log succeeds, fail_third fails on
// its last outcome (strict_note.code is required), bad_path names a
// context value that does not exist.
const actionSchema = `
Tables:
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: priority, ColumnType: measurement, DefaultValue: "1"}
  - TableName: log_entry
    Columns:
      - {Name: message, ColumnType: label}
  - TableName: strict_note
    Columns:
      - {Name: body, ColumnType: label}
      - {Name: code, ColumnType: label}
Actions:
  - Name: complete_and_log
    Label: Complete and log
    OnType: todo
    InstanceOptional: false
    InFields:
      - {Name: note, ColumnName: note, ColumnType: label}
    OutFields:
      - Type: todo
        Method: GET_BY_ID
        Reference: current
        Attributes: {reference_id: $.reference_id}
      - Type: todo
        Method: PATCH
        Reference: updated
        Condition: "!current.done != 1"
        Attributes: {reference_id: $.reference_id, done: "1"}
      - Type: log_entry
        Method: POST
        Reference: log
        Attributes: {message: "$note for $current.title"}
      - Type: client.notify
        Method: ACTIONRESPONSE
        Attributes: {type: success, title: Done, message: "logged $log.reference_id"}
  - Name: fail_third
    OnType: todo
    InstanceOptional: false
    OutFields:
      - {Type: todo, Method: PATCH, Attributes: {reference_id: $.reference_id, done: "1"}}
      - {Type: log_entry, Method: POST, Attributes: {message: "must not stay"}}
      - {Type: strict_note, Method: POST, Attributes: {body: "no code"}}
  - Name: bad_path
    OnType: todo
    InstanceOptional: true
    OutFields:
      - {Type: log_entry, Method: POST, Attributes: {message: "must not stay either"}}
      - {Type: log_entry, Method: POST, Attributes: {message: "$missing.path"}}
`

type actionAnswer struct {
	ResponseType string
	Attributes   any
}

func answerOf(t *testing.T, r testserver.Response) []actionAnswer {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("action: %d %s", r.Status, r.Body)
	}
	var out []actionAnswer
	for _, x := range r.JSON(t).([]any) {
		m := x.(map[string]any)
		out = append(out, actionAnswer{ResponseType: m["ResponseType"].(string), Attributes: m["Attributes"]})
	}
	return out
}

func TestSchemaActionOutcomes(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithSchema("schema_actions.yaml", actionSchema))
	admin := s.Admin(t)
	todo := create(t, s, admin, "todo", map[string]any{"title": "Buy milk"}, nil)
	call := func(name string, a map[string]any) testserver.Response {
		return action(t, s, "/action/todo/"+name, a, admin)
	}
	logs := func() []string {
		var out []string
		for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/log_entry", nil, admin)) {
			out = append(out, attrs(row)["message"].(string))
		}
		return out
	}

	got := answerOf(t, call("complete_and_log", map[string]any{"todo_id": todo, "note": "hi"}))
	var types []string
	for _, a := range got {
		types = append(types, a.ResponseType)
	}
	if strings.Join(types, ",") != "todo,todo,log_entry,client.notify" {
		t.Fatalf("response types %v", types)
	}
	current := got[0].Attributes.(map[string]any)
	updated := got[1].Attributes.(map[string]any)
	logRow := got[2].Attributes.(map[string]any)
	notify := got[3].Attributes.(map[string]any)
	if current["title"] != "Buy milk" || current["reference_id"] != todo || current["__type"] != "todo" {
		t.Errorf("GET_BY_ID result: %v", current)
	}
	if updated["done"] != 1.0 {
		t.Errorf("PATCH result: done = %v", updated["done"])
	}
	if logRow["message"] != "hi for Buy milk" {
		t.Errorf("POST result: %v", logRow)
	}
	if notify["__type"] != "client.notify" || notify["type"] != "success" || notify["title"] != "Done" ||
		notify["message"] != "logged "+logRow["reference_id"].(string) {
		t.Errorf("ACTIONRESPONSE: %v", notify)
	}
	if done := attrs(dataOf(t, s.Do(t, http.MethodGet, "/api/todo/"+todo, nil, admin)))["done"]; done != 1.0 {
		t.Errorf("todo not done: %v", done)
	}
	if l := logs(); len(l) != 1 || l[0] != "hi for Buy milk" {
		t.Errorf("log entries %v", l)
	}

	// The todo is done now: the condition skips the PATCH.
	got = answerOf(t, call("complete_and_log", map[string]any{"todo_id": todo, "note": "again"}))
	if len(got) != 3 || got[1].ResponseType != "log_entry" {
		t.Errorf("second call: %+v", got)
	}

	other := create(t, s, admin, "todo", map[string]any{"title": "Other"}, nil)
	before := len(logs())
	for _, c := range []struct {
		name  string
		attrs map[string]any
		msg   string
	}{
		{"fail_third", map[string]any{"todo_id": other}, "code"},
		{"bad_path", map[string]any{}, "$missing.path"},
	} {
		r := call(c.name, c.attrs)
		if r.Status != http.StatusBadRequest || !strings.Contains(notifyMessage(t, r), c.msg) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if n := len(logs()); n != before {
		t.Errorf("failed actions left %d log entries behind", n-before)
	}
	if done := attrs(dataOf(t, s.Do(t, http.MethodGet, "/api/todo/"+other, nil, admin)))["done"]; done != 0.0 {
		t.Errorf("rolled back PATCH is visible: done = %v", done)
	}
	if r := s.Do(t, http.MethodGet, "/api/strict_note", nil, admin); len(listOf(t, r)) != 0 {
		t.Errorf("strict_note rows: %s", r.Body)
	}

	found := false
	for _, row := range listOf(t, s.Do(t, http.MethodGet, "/api/action"+q("page[size]", "100"), nil, admin)) {
		if attrs(row)["action_name"] == "complete_and_log" {
			found = true
		}
	}
	if !found {
		t.Error("GET /api/action does not list complete_and_log")
	}
}
