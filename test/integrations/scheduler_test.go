package integrations

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// A task every second runs as its user three times, is deactivated live
// and stops; its row shows last_run and next_run; a bad schedule is
// reported on the row and never runs.
func TestScheduledTaskRunsAndStopsLive(t *testing.T) {
	s := testserver.Start(t, testserver.WithSchema("schema_tick.yaml", tickSchema))
	admin := s.Admin(t)
	users := listOf(t, s.Do(t, http.MethodGet, "/api/user_account", nil, admin))
	userRef := users[0].(map[string]any)["id"].(string)

	taskID, _ := create(t, s, "task", map[string]any{"name": "ticker", "action_name": "tick", "entity_name": "log_entry", "job_type": "action",
		"schedule": "@every 1s", "active": true, "attributes": `{"message":"tick"}`, "as_user_id": userRef}, admin)
	waitFor(t, 8*time.Second, "three runs", func() bool { return count(t, s, "log_entry", admin) >= 3 })

	// The scheduler writes last_run on every run, so an edit racing with
	// it gets 409 "read it again and retry", as the message says.
	var r testserver.Response
	for try := 0; try < 5; try++ {
		r = s.Do(t, http.MethodPatch, "/api/task/"+taskID, map[string]any{"data": map[string]any{"type": "task", "id": taskID,
			"attributes": map[string]any{"active": false}}}, admin)
		if r.Status != http.StatusConflict {
			break
		}
	}
	if r.Status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.Status, r.Body)
	}
	time.Sleep(300 * time.Millisecond) // a firing already under way may finish
	n := count(t, s, "log_entry", admin)
	time.Sleep(2200 * time.Millisecond)
	if m := count(t, s, "log_entry", admin); m != n {
		t.Fatalf("inactive task kept running: %d rows then %d", n, m)
	}
	rows := listOf(t, s.Do(t, http.MethodGet, "/api/log_entry", nil, admin))
	first := rows[0].(map[string]any)["attributes"].(map[string]any)
	if first["message"] != "tick" {
		t.Errorf("task attributes not passed: %v", first)
	}
	if owner, _ := first["user_account_id"].(string); owner != userRef {
		t.Errorf("row written as %v, want the task's user %s", first["user_account_id"], userRef)
	}
	task := attrsOf(t, s.Do(t, http.MethodGet, "/api/task/"+taskID, nil, admin))
	if task["last_run"] == nil || task["last_run"] == "" {
		t.Errorf("last_run not recorded: %v", task)
	}
	if e, _ := task["last_error"].(string); e != "" {
		t.Errorf("last_error = %q", e)
	}

	badID, _ := create(t, s, "task", map[string]any{"name": "bad", "action_name": "tick", "entity_name": "log_entry", "job_type": "action",
		"schedule": "every minute", "active": true, "attributes": `{}`}, admin)
	waitFor(t, 3*time.Second, "the schedule error on the row", func() bool {
		e, _ := attrsOf(t, s.Do(t, http.MethodGet, "/api/task/"+badID, nil, admin))["last_error"].(string)
		return strings.Contains(e, "invalid schedule")
	})
}

// A task added while the server runs fires without a restart, and a
// deleted task stops.
func TestScheduledTaskAddAndRemoveLive(t *testing.T) {
	s := testserver.Start(t, testserver.WithSchema("schema_tick.yaml", tickSchema))
	admin := s.Admin(t)
	id, _ := create(t, s, "task", map[string]any{"name": "t2", "action_name": "tick", "entity_name": "log_entry", "job_type": "action",
		"schedule": "@every 1s", "active": true, "attributes": `{"message":"x"}`}, admin)
	waitFor(t, 5*time.Second, "a run", func() bool { return count(t, s, "log_entry", admin) >= 1 })
	if r := s.Do(t, http.MethodDelete, "/api/task/"+id, nil, admin); r.Status >= 300 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	time.Sleep(300 * time.Millisecond)
	n := count(t, s, "log_entry", admin)
	time.Sleep(1500 * time.Millisecond)
	if m := count(t, s, "log_entry", admin); m != n {
		t.Fatalf("deleted task kept running: %d then %d", n, m)
	}
}
