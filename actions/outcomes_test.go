package actions

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const outcomeSchema = `
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
    OnType: todo
    InstanceOptional: false
    InFields:
      - {Name: note, ColumnName: note, ColumnType: label}
    OutFields:
      - {Type: todo, Method: GET_BY_ID, Reference: current, Attributes: {reference_id: $.reference_id}}
      - {Type: todo, Method: PATCH, Reference: updated, Condition: "!current.done != 1", Attributes: {reference_id: $.reference_id, done: "1"}}
      - {Type: log_entry, Method: POST, Reference: log, Attributes: {message: "$note for $current.title"}}
      - {Type: client.notify, Method: ACTIONRESPONSE, Attributes: {type: success, title: Done, message: "logged $log.reference_id"}}
  - Name: fail_third
    OnType: todo
    InstanceOptional: false
    OutFields:
      - {Type: todo, Method: PATCH, Attributes: {reference_id: "~todo_id", done: true}}
      - {Type: log_entry, Method: POST, Attributes: {message: written}}
      - {Type: strict_note, Method: POST, Attributes: {body: no code}}
  - Name: kinds
    OnType: todo
    InstanceOptional: true
    InFields:
      - {Name: who, ColumnName: who, ColumnType: label}
    OutFields:
      - {Type: log_entry, Method: POST, Reference: a, SkipInResponse: true, Attributes: {message: "!'n=' + (1 + 2)"}}
      - {Type: log_entry, Method: POST, SkipInResponse: true, Attributes: {message: "{{a.message + '!'}}"}}
      - {Type: log_entry, Method: GET, Reference: all, Attributes: {query: [{column: message, operator: like, value: "n=%"}], sort: "-message", "page[size]": 5}}
      - {Type: echo, Method: EXECUTE, Reference: echoed, Attributes: {first: "$all[1].message", count: "!all.length", whole: "~a"}}
      - {Type: log_entry, Method: DELETE, Condition: "!echoed.count == 2", Attributes: {reference_id: $a.reference_id}}
      - {Type: log_entry, Method: POST, Condition: "false", Attributes: {message: never}}
      - {Type: user_account, Method: SWITCH_USER, Attributes: {user_reference_id: ~who}}
      - {Type: client.notify, Method: ACTIONRESPONSE, Attributes: {message: "$user.email", n: "$echoed.count"}}
  - Name: bad_path
    OnType: todo
    InstanceOptional: true
    OutFields:
      - {Type: log_entry, Method: POST, Attributes: {message: first}}
      - {Type: log_entry, Method: POST, Attributes: {message: "$missing.path"}}
  - Name: bad_performer
    OnType: todo
    InstanceOptional: true
    OutFields:
      - {Type: log_entry, Method: POST, Attributes: {message: first}}
      - {Type: no.such.performer, Method: EXECUTE}
`

func newOutcomeExecutor(t *testing.T) (*Executor, resource.Service, context.Context) {
	t.Helper()
	svc := resourcetest.New(t, outcomeSchema)
	e := New(Options{Res: func() resource.Service { return svc }})
	e.registerPerformer("echo", func(_ context.Context, req Request) ([]Response, error) {
		return []Response{{ResponseType: "echo", Attributes: req.Attributes}}, nil
	})
	return e, svc, auth.WithPrincipal(context.Background(), auth.System())
}

func countRows(t *testing.T, svc resource.Service, ctx context.Context, table string) int64 {
	t.Helper()
	p, err := svc.List(ctx, table, resource.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestOutcomesCompleteAndLog(t *testing.T) {
	t.Parallel()
	e, svc, ctx := newOutcomeExecutor(t)
	todo, err := svc.Create(ctx, "todo", resource.Input{Attributes: map[string]any{"title": "Buy milk"}})
	if err != nil {
		t.Fatal(err)
	}
	resps, err := e.Execute(ctx, "todo", "complete_and_log", map[string]any{"todo_id": todo.RefID, "note": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resps) != 4 || resps[1].ResponseType != "todo" || resps[2].ResponseType != "log_entry" {
		t.Fatalf("responses: %+v", resps)
	}
	log := resps[2].Attributes.(map[string]any)
	if log["message"] != "hi for Buy milk" {
		t.Fatalf("log message %q", log["message"])
	}
	notify := resps[3].Attributes.(map[string]any)
	if notify["__type"] != "client.notify" || notify["message"] != "logged "+log["reference_id"].(string) {
		t.Fatalf("notify: %+v", notify)
	}
	resps, err = e.Execute(ctx, "todo", "complete_and_log", map[string]any{"todo_id": todo.RefID, "note": "again"})
	if err != nil || len(resps) != 3 {
		t.Fatalf("second call should skip the PATCH: %v %+v", err, resps)
	}
}

func TestOutcomesRollBack(t *testing.T) {
	t.Parallel()
	e, svc, ctx := newOutcomeExecutor(t)
	todo, err := svc.Create(ctx, "todo", resource.Input{Attributes: map[string]any{"title": "t"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		action string
		attrs  map[string]any
		status int
		msg    string
	}{
		{"fail_third", map[string]any{"todo_id": todo.RefID}, http.StatusBadRequest, "code"},
		{"bad_path", map[string]any{}, http.StatusBadRequest, "$missing.path"},
		{"bad_performer", map[string]any{}, http.StatusBadRequest, "unknown performer"},
	} {
		_, err := e.Execute(ctx, "todo", s.action, s.attrs)
		status, body := StatusAndBody(err)
		msg := body[0].Attributes.(map[string]any)["message"].(string)
		if err == nil || status != s.status || !strings.Contains(msg, s.msg) {
			t.Errorf("%s: %d %q (%v)", s.action, status, msg, err)
		}
	}
	if n := countRows(t, svc, ctx, "log_entry"); n != 0 {
		t.Fatalf("%d log entries survived the rollbacks", n)
	}
	got, err := svc.Get(ctx, "todo", todo.RefID, resource.Query{})
	if err != nil || got.Attrs["done"] != int64(0) {
		t.Fatalf("todo changed by a rolled back action: %v %v", got.Attrs["done"], err)
	}
}

func TestOutcomeKinds(t *testing.T) {
	t.Parallel()
	e, svc, ctx := newOutcomeExecutor(t)
	sys := auth.WithPrincipal(ctx, auth.System())
	ann, err := svc.Create(sys, "user_account", resource.Input{Attributes: map[string]any{
		"name": "Ann", "email": "ann@example.test", "password": "ann-password"}})
	if err != nil {
		t.Fatal(err)
	}
	resps, err := e.Execute(ctx, "todo", "kinds", map[string]any{"who": ann.RefID})
	if err != nil {
		t.Fatal(err)
	}
	if len(resps) != 4 {
		t.Fatalf("want GET, EXECUTE, DELETE and the notify: %+v", resps)
	}
	rows := resps[0].Attributes.([]any)
	if len(rows) != 2 || rows[0].(map[string]any)["message"] != "n=3!" {
		t.Fatalf("GET rows: %+v", rows)
	}
	echo := resps[1].Attributes.(map[string]any)
	if echo["first"] != "n=3" || echo["count"] != 2.0 || echo["whole"].(map[string]any)["message"] != "n=3" {
		t.Fatalf("EXECUTE attributes: %+v", echo)
	}
	if resps[2].Attributes.(map[string]any)["message"] != "Deleted log_entry" {
		t.Fatalf("DELETE response: %+v", resps[2])
	}
	final := resps[3].Attributes.(map[string]any)
	if final["message"] != "ann@example.test" || final["n"] != 2.0 {
		t.Fatalf("after SWITCH_USER: %+v", final)
	}
	if n := countRows(t, svc, ctx, "log_entry"); n != 1 {
		t.Fatalf("want 1 log entry after the DELETE, have %d", n)
	}
}

func TestEvalValue(t *testing.T) {
	t.Parallel()
	vars := map[string]any{
		"note":    "hi",
		"n":       int64(4),
		"subject": map[string]any{"reference_id": "r-1", "title": "T"},
		"rows":    []any{map[string]any{"x": "a"}, map[string]any{"x": "b"}},
		"user":    map[string]any{"id": "u-1", "reference_id": "u-1"},
		"obj":     map[string]any{"k": []any{1.0}},
	}
	scenarios := []struct {
		name string
		in   any
		want any
	}{
		{"literal", "plain text", "plain text"},
		{"lone dollar", "costs $ 5 or $", "costs $ 5 or $"},
		{"dollar amount", "costs $5, $$note", "costs $5, $hi"},
		{"whole path keeps type", "$n", int64(4)},
		{"substitution", "$note, $note!", "hi, hi!"},
		{"subject column", "$.title-$.reference_id", "T-r-1"},
		{"index", "$rows[1].x$rows[0].x", "ba"},
		{"trailing dot", "by $user.id.", "by u-1."},
		{"object as JSON", "v=$obj", `v={"k":[1]}`},
		{"tilde keeps type", "~n", int64(4)},
		{"tilde path", "~rows[0].x", "a"},
		{"tilde subject", "~.title", "T"},
		{"tilde missing", "~nope.x", nil},
		{"expression", "!n * 2", 8.0},
		{"braces", "{{note + '!'}}", "hi!"},
		{"nested", map[string]any{"a": []any{"$note", 3.0, true}}, nil},
	}
	for _, s := range scenarios {
		got, err := evalValue(s.in, vars)
		if err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		if s.name == "nested" {
			list := got.(map[string]any)["a"].([]any)
			if list[0] != "hi" || list[1] != 3.0 || list[2] != true {
				t.Errorf("nested: %+v", got)
			}
			continue
		}
		if got != s.want {
			t.Errorf("%s: %#v, want %#v", s.name, got, s.want)
		}
	}
	if _, err := evalValue(map[string]any{"x": "$rows[2].x"}, vars); err == nil || !strings.Contains(err.Error(), "$rows[2].x") {
		t.Errorf("missing index: %v", err)
	}
	var ae *Error
	if _, err := evalValue("!1 +", vars); !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Errorf("bad expression: %v", err)
	}
}
