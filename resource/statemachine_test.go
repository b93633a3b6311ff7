package resource_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/resourcetest"
)

const stateSchema = `
StateMachineDescriptions:
  - Name: todo_lifecycle
    Label: Todo lifecycle
    InitialState: open
    Events:
      - {Name: start,  Label: Start,  Src: [open],        Dst: in_progress}
      - {Name: finish, Label: Finish, Src: [in_progress], Dst: done}
      - {Name: reopen, Label: Reopen, Src: [in_progress, done], Dst: open}
Tables:
  - TableName: todo
    IsStateTrackingEnabled: true
    Columns:
      - {Name: title, ColumnType: label}
  - TableName: todo_state_audit
    Columns:
      - {Name: current_state, ColumnType: label, IsNullable: true}
      - {Name: source_reference_id, ColumnType: label, DataType: varchar(64), IsNullable: true}
      - {Name: operation, ColumnType: label, DataType: varchar(32), IsNullable: true}
  - TableName: note
    Columns:
      - {Name: body, ColumnType: label}
`

// stateFixture is a service with one todo and the todo_lifecycle machine.
type stateFixture struct {
	res    resource.Service
	smd    string // smd reference id
	todo   string // todo reference id
	userID int64
}

func newStateFixture(t *testing.T) stateFixture {
	t.Helper()
	res := resourcetest.New(t, stateSchema)
	ctx := sys()
	page, err := res.List(ctx, "smd", resource.Query{Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: "todo_lifecycle"}}})
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("smd todo_lifecycle: %+v %v", page.Rows, err)
	}
	todo, err := res.Create(ctx, "todo", resource.Input{Attributes: map[string]any{"title": "write tests"}})
	if err != nil {
		t.Fatal(err)
	}
	user, err := res.Create(ctx, "user_account", resource.Input{Attributes: map[string]any{"name": "Ann", "email": "ann@example.test", "password": "ann-password"}})
	if err != nil {
		t.Fatal(err)
	}
	return stateFixture{res: res, smd: page.Rows[0].RefID, todo: todo.RefID, userID: user.ID}
}

func (f stateFixture) user() context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{UserID: f.userID, Name: "Ann", Email: "ann@example.test"})
}

func (f stateFixture) start(t *testing.T, ctx context.Context) resource.Row {
	t.Helper()
	st, err := f.res.TrackStart(ctx, f.smd, "todo", f.todo)
	if err != nil {
		t.Fatalf("TrackStart: %v", err)
	}
	return st
}

func TestTrackLifecycle(t *testing.T) {
	t.Parallel()
	f := newStateFixture(t)
	rec := &recorder{}
	defer f.res.Subscribe(rec.add)()
	ctx := f.user()

	st := f.start(t, ctx)
	if st.Table != "todo_state" || st.Attrs["current_state"] != "open" || st.Attrs["is_state_of_todo"] != f.todo || st.Attrs["todo_smd"] != f.smd {
		t.Fatalf("new state row %+v", st.Attrs)
	}
	if st.Attrs["user_account_id"] == nil {
		t.Errorf("the state row has no owner: %+v", st.Attrs)
	}
	for _, step := range []struct{ event, want string }{{"start", "in_progress"}, {"finish", "done"}, {"reopen", "open"}} {
		r, err := f.res.TrackEvent(ctx, "todo", st.RefID, step.event)
		if err != nil || r.Attrs["current_state"] != step.want {
			t.Fatalf("%s: %v %v", step.event, r.Attrs["current_state"], err)
		}
	}
	got, err := f.res.Get(sys(), "todo_state", st.RefID, resource.Query{})
	if err != nil || got.Attrs["current_state"] != "open" {
		t.Fatalf("stored state %v %v", got.Attrs["current_state"], err)
	}
	if rec.len() != 4 || rec.got[0].Op != resource.OpCreate || rec.got[3].Op != resource.OpUpdate || rec.got[3].Row["current_state"] != "open" {
		t.Errorf("changes %+v", rec.got)
	}

	audit, err := f.res.List(sys(), "todo_state_audit", resource.Query{Sort: []resource.SortKey{{Column: "id"}}})
	if err != nil || len(audit.Rows) != 3 {
		t.Fatalf("audit rows %d %v", len(audit.Rows), err)
	}
	for i, want := range []string{"open", "in_progress", "done"} {
		a := audit.Rows[i].Attrs
		if a["current_state"] != want || a["operation"] != "state_transition" || a["source_reference_id"] != st.RefID {
			t.Errorf("audit row %d: %+v", i, a)
		}
	}

	related, err := f.res.Related(sys(), "todo", f.todo, "todo_has_state", resource.Query{})
	if err != nil || len(related.Rows) != 1 || related.Rows[0].RefID != st.RefID {
		t.Errorf("todo_has_state: %+v %v", related.Rows, err)
	}
}

func TestTrackEventRefused(t *testing.T) {
	t.Parallel()
	f := newStateFixture(t)
	ctx := f.user()
	st := f.start(t, ctx)
	scenarios := []struct {
		name   string
		run    func() error
		kind   error
		detail string
	}{
		{"not allowed from state", func() error { _, err := f.res.TrackEvent(ctx, "todo", st.RefID, "finish"); return err },
			resource.ErrBadRequest, "event finish is not allowed from state open"},
		{"unknown event", func() error { _, err := f.res.TrackEvent(ctx, "todo", st.RefID, "explode"); return err },
			resource.ErrBadRequest, "has no event explode"},
		{"no state tracking", func() error { _, err := f.res.TrackEvent(ctx, "note", st.RefID, "start"); return err },
			resource.ErrBadRequest, "no state tracking"},
		{"unknown state row", func() error {
			_, err := f.res.TrackEvent(ctx, "todo", "01a2077d-0000-7000-8000-000000000000", "start")
			return err
		}, resource.ErrNotFound, ""},
		{"guest", func() error { _, err := f.res.TrackEvent(context.Background(), "todo", st.RefID, "start"); return err },
			resource.ErrUnauthenticated, ""},
		{"stale version", func() error {
			_, err := resource.TrackEventAtVersion(ctx, f.res, "todo", st.RefID, "start", 7)
			return err
		}, resource.ErrConflict, "changed by someone else"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			err := sc.run()
			if !errors.Is(err, sc.kind) || !strings.Contains(err.Error(), sc.detail) {
				t.Errorf("got %v, want %v containing %q", err, sc.kind, sc.detail)
			}
		})
	}
	got, err := f.res.Get(sys(), "todo_state", st.RefID, resource.Query{})
	if err != nil || got.Attrs["current_state"] != "open" {
		t.Errorf("a refused event changed the state: %v %v", got.Attrs["current_state"], err)
	}
	audit, err := f.res.List(sys(), "todo_state_audit", resource.Query{})
	if err != nil || audit.Total != 0 {
		t.Errorf("refused events wrote %d audit rows (%v)", audit.Total, err)
	}
}

func TestTrackPermissions(t *testing.T) {
	t.Parallel()
	f := newStateFixture(t)
	ctx := f.user()
	st := f.start(t, sys()) // owned by nobody
	lock := func(table, id string) {
		t.Helper()
		if _, err := f.res.Update(sys(), table, id, resource.Input{Attributes: map[string]any{"permission": 0}}); err != nil {
			t.Fatal(err)
		}
	}
	lock("todo_state", st.RefID)
	if _, err := f.res.TrackEvent(ctx, "todo", st.RefID, "start"); !errors.Is(err, resource.ErrForbidden) {
		t.Errorf("event without execute on the state row: %v", err)
	}
	if _, err := f.res.TrackEvent(sys(), "todo", st.RefID, "start"); err != nil {
		t.Errorf("system event: %v", err)
	}

	scenarios := []struct {
		name string
		run  func() error
		kind error
	}{
		{"unknown smd", func() error {
			_, err := f.res.TrackStart(ctx, "01a2077d-0000-7000-8000-000000000000", "todo", f.todo)
			return err
		}, resource.ErrNotFound},
		{"no state tracking", func() error { _, err := f.res.TrackStart(ctx, f.smd, "note", f.todo); return err }, resource.ErrBadRequest},
		{"unknown subject", func() error {
			_, err := f.res.TrackStart(ctx, f.smd, "todo", "01a2077d-0000-7000-8000-000000000000")
			return err
		}, resource.ErrNotFound},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if err := sc.run(); !errors.Is(err, sc.kind) {
				t.Errorf("got %v, want %v", err, sc.kind)
			}
		})
	}

	lock("todo", f.todo)
	if _, err := f.res.TrackStart(ctx, f.smd, "todo", f.todo); !errors.Is(err, resource.ErrForbidden) {
		t.Errorf("start on an unreadable subject: %v", err)
	}
	lock("smd", f.smd)
	if _, err := f.res.TrackStart(ctx, f.smd, "todo", f.todo); !errors.Is(err, resource.ErrForbidden) {
		t.Errorf("start without execute on the smd: %v", err)
	}
	states, err := f.res.List(sys(), "todo_state", resource.Query{})
	if err != nil || states.Total != 1 {
		t.Errorf("refused starts stored rows: %d %v", states.Total, err)
	}
}
