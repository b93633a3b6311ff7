package cluster

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// tickSchema has a table a task writes to and the action it runs.
const tickSchema = `
Tables:
  - TableName: log_entry
    Columns:
      - {Name: message, ColumnType: label}
Actions:
  - Name: tick
    Label: Tick
    OnType: log_entry
    InstanceOptional: true
    InFields:
      - {Name: message, ColumnName: message, ColumnType: label}
    OutFields:
      - {Type: log_entry, Method: POST, Attributes: {message: "$message"}}
`

func logEntries(t *testing.T, s *testserver.Server, token string) int {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/log_entry?page[size]=500", nil, token)
	if r.Status != http.StatusOK {
		t.Fatalf("list log_entry: %d %s", r.Status, r.Body)
	}
	data, _ := r.Map(t)["data"].([]any)
	return len(data)
}

// TestScheduledTaskRunsOncePerCluster: two nodes both schedule a task
// that fires every second; each firing runs on one node only (the
// cluster lease), so the rows it writes grow by one a second, not two.
func TestScheduledTaskRunsOncePerCluster(t *testing.T) {
	needSharedDB(t)
	typ, dsn := dbtest.NewDSN(t)
	p1, p2 := freePort(t), freePort(t)
	node := func(port, peer int) *testserver.Server {
		return testserver.Start(t, testserver.WithDatabase(t.TempDir(), typ, dsn), testserver.WithSchema("schema_tick.yaml", tickSchema),
			testserver.WithConfig(func(c *server.Config) {
				c.Olric = server.OlricConfig{Port: port, Peers: []string{fmt.Sprintf("127.0.0.1:%d", peer+1)}, Secret: secret}
			}))
	}
	n1 := node(p1, p2)
	admin := n1.Admin(t)
	r := n1.Do(t, http.MethodPost, "/api/task", map[string]any{"data": map[string]any{"type": "task", "attributes": map[string]any{
		"name": "ticker", "action_name": "tick", "entity_name": "log_entry", "job_type": "action", "schedule": "@every 1s",
		"active": true, "attributes": `{"message":"tick"}`}}}, admin)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("create task: %d %s", r.Status, r.Body)
	}
	n2 := node(p2, p1) // loads the task at start: both nodes schedule it
	waitMembers(t, n1, 2, "node 1")
	waitMembers(t, n2, 2, "node 2")
	// @every 1s fires one second after each node scheduled it, so the
	// two nodes' firings fall in the same second when the lease keys
	// match; count over whole seconds.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1500 * time.Millisecond)))
	before := logEntries(t, n2, admin)
	time.Sleep(5 * time.Second)
	grown := logEntries(t, n1, admin) - before
	if grown < 3 || grown > 6 {
		t.Fatalf("5 s of a task firing every second on two nodes wrote %d rows, want about 5 (10 = it ran on both)", grown)
	}
}

// schedulerStatus reads scheduler.tasks and scheduler.active from a
// node's /api/status.
func schedulerStatus(t *testing.T, s *testserver.Server) (tasks, active int) {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/status", nil, "")
	sc, _ := r.Map(t)["scheduler"].(map[string]any)
	n, _ := sc["tasks"].(float64)
	a, _ := sc["active"].(float64)
	return int(n), int(a)
}

func waitScheduler(t *testing.T, s *testserver.Server, name string, tasks, active int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, a := schedulerStatus(t, s)
		if n == tasks && a == active {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: scheduler has %d tasks, %d active; want %d, %d", name, n, a, tasks, active)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTaskChangesReachOtherNodes: a task created on node 1 while node 2
// runs is scheduled on node 2 without a restart, runs once per firing,
// and deactivating it on node 2 stops it on every node (node 1 learns of
// it only through the cluster's invalidation).
func TestTaskChangesReachOtherNodes(t *testing.T) {
	needSharedDB(t)
	typ, dsn := dbtest.NewDSN(t)
	p1, p2 := freePort(t), freePort(t)
	node := func(port, peer int) *testserver.Server {
		return testserver.Start(t, testserver.WithDatabase(t.TempDir(), typ, dsn), testserver.WithSchema("schema_tick.yaml", tickSchema),
			testserver.WithConfig(func(c *server.Config) {
				c.Olric = server.OlricConfig{Port: port, Peers: []string{fmt.Sprintf("127.0.0.1:%d", peer+1)}, Secret: secret}
			}))
	}
	n1, n2 := node(p1, p2), node(p2, p1)
	waitMembers(t, n1, 2, "node 1")
	waitMembers(t, n2, 2, "node 2")
	admin := n1.Admin(t)
	r := n1.Do(t, http.MethodPost, "/api/task", map[string]any{"data": map[string]any{"type": "task", "attributes": map[string]any{
		"name": "ticker", "action_name": "tick", "entity_name": "log_entry", "job_type": "action", "schedule": "@every 1s",
		"active": true, "attributes": `{"message":"tick"}`}}}, admin)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("create task: %d %s", r.Status, r.Body)
	}
	id := r.Map(t)["data"].(map[string]any)["id"].(string)
	waitScheduler(t, n1, "node 1", 1, 1)
	waitScheduler(t, n2, "node 2 after the task was created on node 1", 1, 1)

	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1500 * time.Millisecond)))
	before := logEntries(t, n2, admin)
	time.Sleep(4 * time.Second)
	if grown := logEntries(t, n1, admin) - before; grown < 2 || grown > 5 {
		t.Fatalf("4 s of a task firing every second on two nodes wrote %d rows, want about 4 (8 = it ran on both)", grown)
	}

	r = n2.Do(t, http.MethodPatch, "/api/task/"+id, map[string]any{"data": map[string]any{"type": "task", "id": id,
		"attributes": map[string]any{"active": false}}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("deactivate on node 2: %d %s", r.Status, r.Body)
	}
	waitScheduler(t, n2, "node 2", 1, 0)
	waitScheduler(t, n1, "node 1 after the task was deactivated on node 2", 1, 0)
	time.Sleep(1500 * time.Millisecond) // a firing under way when it changed
	settled := logEntries(t, n1, admin)
	time.Sleep(3 * time.Second)
	if n := logEntries(t, n2, admin); n != settled {
		t.Errorf("a task deactivated on node 2 still ran: %d → %d rows", settled, n)
	}
}
