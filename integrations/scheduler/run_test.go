package scheduler

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations/memres"
	"github.com/apiary/apiary/resource"
)

// call is one run the scheduler asked for.
type call struct {
	jobType, typ, action, user string
	attrs                      map[string]any
}

type schedEnv struct {
	res    *memres.Res
	s      *Scheduler
	mu     sync.Mutex
	calls  []call
	denied atomic.Bool // the lease is held elsewhere
}

func (e *schedEnv) Claim(context.Context, string, int64) (bool, error) {
	return !e.denied.Load(), nil
}

func newSchedEnv(t *testing.T) *schedEnv {
	t.Helper()
	e := &schedEnv{res: memres.New()}
	e.s = New(Options{Res: func() resource.Service { return e.res }, Claim: e,
		Run: func(ctx context.Context, jobType, typ, action string, attrs map[string]any) error {
			p := auth.PrincipalFrom(ctx)
			who := p.UserRef
			if p.System {
				who = "system"
			}
			e.mu.Lock()
			e.calls = append(e.calls, call{jobType, typ, action, who, attrs})
			e.mu.Unlock()
			if action == "fail" {
				return errors.New("task went wrong")
			}
			return nil
		}})
	return e
}

func (e *schedEnv) count() int { e.mu.Lock(); defer e.mu.Unlock(); return len(e.calls) }

func (e *schedEnv) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunNowRecordsState(t *testing.T) {
	e := newSchedEnv(t)
	user := e.res.Put("user_account", "", map[string]any{"email": "t@example.test"})
	tests := []struct {
		name  string
		attrs map[string]any
		who   string
		err   string
	}{
		{"as the system", map[string]any{"name": "a", "schedule": "@hourly", "action_name": "go", "entity_name": "log", "active": true,
			"attributes": `{"k":"v"}`}, "system", ""},
		{"as its user", map[string]any{"name": "b", "schedule": "@hourly", "action_name": "go", "entity_name": "log", "active": true,
			"as_user_id": user, "job_type": "sync"}, user, ""},
		{"failing", map[string]any{"name": "c", "schedule": "@hourly", "action_name": "fail", "entity_name": "log", "active": true}, "system", "task went wrong"},
		{"missing user", map[string]any{"name": "d", "schedule": "@hourly", "action_name": "go", "entity_name": "log", "active": true,
			"as_user_id": "gone"}, "", "task user"},
	}
	refs := map[string]string{}
	for _, tc := range tests {
		refs[tc.name] = e.res.Put(TaskTable, "", tc.attrs)
	}
	if err := e.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.s.Stop()
	for _, tc := range tests {
		before := e.count()
		err := e.s.RunNow(context.Background(), refs[tc.name])
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
		row, _ := e.res.Get(context.Background(), TaskTable, refs[tc.name], resource.Query{})
		if row.Attrs["last_run"] == nil || row.Attrs["next_run"] == nil || row.Attrs["last_error"] != errText(err) {
			t.Errorf("%s: row state %v", tc.name, row.Attrs)
		}
		if tc.who == "" {
			if e.count() != before {
				t.Errorf("%s: ran without its user", tc.name)
			}
			continue
		}
		e.mu.Lock()
		c := e.calls[len(e.calls)-1]
		e.mu.Unlock()
		if c.user != tc.who || c.typ != "log" || c.jobType != tc.attrs["job_type"] && tc.attrs["job_type"] != nil {
			t.Errorf("%s: ran %+v", tc.name, c)
		}
	}
	if err := e.s.RunNow(context.Background(), "nope"); err == nil {
		t.Error("an unknown task ran")
	}
	for _, j := range e.s.Jobs() {
		if j.Runs != 1 || len(j.History) != 1 || j.NextRun.IsZero() {
			t.Errorf("job %s: runs %d, history %v, next %v", j.Name, j.Runs, j.History, j.NextRun)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Tasks are added, changed, deactivated and removed live; a bad schedule
// is recorded on the row; a firing runs only where the lease is held.
func TestLiveTasks(t *testing.T) {
	e := newSchedEnv(t)
	if err := e.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.s.Stop()
	sys := auth.WithPrincipal(context.Background(), auth.System())
	row, err := e.res.Create(sys, TaskTable, resource.Input{Attributes: map[string]any{"name": "tick", "schedule": "@every 1s",
		"action_name": "go", "entity_name": "log", "active": true}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, "two runs", func() bool { return e.count() >= 2 })
	_, _ = e.res.Update(sys, TaskTable, row.RefID, resource.Input{Attributes: map[string]any{"active": false}})
	e.wait(t, "the job to go inactive", func() bool { j := e.s.Jobs(); return len(j) == 1 && !j[0].Active })
	n := e.count()
	time.Sleep(1500 * time.Millisecond)
	if e.count() != n {
		t.Errorf("an inactive task ran: %d → %d", n, e.count())
	}
	_, _ = e.res.Update(sys, TaskTable, row.RefID, resource.Input{Attributes: map[string]any{"active": true, "schedule": "every now and then"}})
	e.wait(t, "the bad schedule on the row", func() bool {
		r, _ := e.res.Get(sys, TaskTable, row.RefID, resource.Query{})
		s, _ := r.Attrs["last_error"].(string)
		return strings.HasPrefix(s, "invalid schedule")
	})
	e.denied.Store(true)
	_, _ = e.res.Update(sys, TaskTable, row.RefID, resource.Input{Attributes: map[string]any{"schedule": "@every 1s"}})
	n = e.count()
	time.Sleep(1500 * time.Millisecond)
	if e.count() != n {
		t.Errorf("a task ran without the lease")
	}
	_ = e.res.Delete(sys, TaskTable, row.RefID)
	e.wait(t, "the deleted task to go", func() bool { return len(e.s.Jobs()) == 0 })
}

func TestSame(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		cur, attrs map[string]any
		same       bool
	}{
		{map[string]any{"a": "x"}, map[string]any{"a": "x"}, true},
		{map[string]any{"a": "x"}, map[string]any{"a": "y"}, false},
		{map[string]any{}, map[string]any{"next_run": nil}, true},
		{map[string]any{"next_run": ""}, map[string]any{"next_run": nil}, true},
		{map[string]any{"last_run": at}, map[string]any{"last_run": "2026-01-01T00:00:00Z"}, true},
		{map[string]any{"last_run": at}, map[string]any{"last_run": "2026-01-02T00:00:00Z"}, false},
	}
	for _, tc := range tests {
		if got := same(tc.cur, tc.attrs); got != tc.same {
			t.Errorf("same(%v, %v) = %v", tc.cur, tc.attrs, got)
		}
	}
}

// Rows written without a change event (another node's writes) are
// scheduled, changed and removed by Resync alone.
func TestResyncFollowsSilentWrites(t *testing.T) {
	e := newSchedEnv(t)
	if err := e.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.s.Stop()
	tick := map[string]any{"name": "tick", "schedule": "@every 1s", "action_name": "go", "entity_name": "log", "active": true}
	ref := e.res.Put(TaskTable, "", tick)
	time.Sleep(1200 * time.Millisecond)
	if len(e.s.Jobs()) != 0 || e.count() != 0 {
		t.Fatalf("a silent write was seen without Resync: %d jobs, %d runs", len(e.s.Jobs()), e.count())
	}
	e.s.Resync()
	e.s.Resync() // merged with the first
	e.wait(t, "two runs after Resync", func() bool { return e.count() >= 2 })

	tick["active"] = false
	e.res.Put(TaskTable, ref, tick)
	e.s.Resync()
	e.wait(t, "the job to go inactive", func() bool { j := e.s.Jobs(); return len(j) == 1 && !j[0].Active })
	n := e.count()
	time.Sleep(1500 * time.Millisecond)
	if e.count() != n {
		t.Errorf("a task deactivated elsewhere ran: %d → %d", n, e.count())
	}

	other := e.res.Put(TaskTable, "", map[string]any{"name": "other", "schedule": "@hourly", "action_name": "go", "entity_name": "log", "active": true})
	e.res.Drop(TaskTable, ref)
	e.s.Resync()
	e.wait(t, "only the other task", func() bool { j := e.s.Jobs(); return len(j) == 1 && j[0].RefID == other })
}
