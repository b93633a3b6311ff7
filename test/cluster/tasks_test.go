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
