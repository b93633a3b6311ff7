package cluster

import (
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

const itemSchema = `
Tables:
  - TableName: item
    Columns:
      - {Name: name, ColumnType: label, DataType: varchar(200)}
`

const secret = "cluster-test-secret"

// freePort returns p with p and p+1 free on loopback.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		l.Close()
		if err == nil {
			l2.Close()
			return p
		}
	}
	t.Fatal("no free port pair")
	return 0
}

// needSharedDB skips on SQLite, where a cluster is refused.
func needSharedDB(t *testing.T) {
	t.Helper()
	if dbtest.Type() == "sqlite3" || dbtest.Type() == "sqlite" {
		t.Skip("cluster tests need a shared database: run with APIARY_TEST_DB=postgres or mysql (SQLite refuses peers)")
	}
}

// startNodes boots n nodes on one fresh database, each with its own
// folder, every node naming all the others as peers, and waits until each
// sees n members.
func startNodes(t *testing.T, n int) []*testserver.Server {
	t.Helper()
	needSharedDB(t)
	typ, dsn := dbtest.NewDSN(t)
	ports := make([]int, n)
	for i := range ports {
		ports[i] = freePort(t)
	}
	nodes := make([]*testserver.Server, n)
	for i := range nodes {
		var peers []string
		for j, p := range ports {
			if j != i {
				peers = append(peers, fmt.Sprintf("127.0.0.1:%d", p+1))
			}
		}
		port := ports[i]
		nodes[i] = testserver.Start(t, testserver.WithDatabase(t.TempDir(), typ, dsn),
			testserver.WithSchema("schema_item.yaml", itemSchema),
			testserver.WithConfig(func(c *server.Config) {
				c.Olric = server.OlricConfig{Port: port, Peers: peers, Secret: secret}
			}))
	}
	for i, s := range nodes {
		waitMembers(t, s, n, fmt.Sprintf("node %d", i+1))
	}
	return nodes
}

// members reads cluster.members from /api/status.
func members(t *testing.T, s *testserver.Server) int {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/status", nil, "")
	c, _ := r.Map(t)["cluster"].(map[string]any)
	n, _ := c["members"].(float64)
	return int(n)
}

func waitMembers(t *testing.T, s *testserver.Server, want int, name string) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for {
		got := members(t, s)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: cluster.members = %d, want %d", name, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// openTable lets every signed-in user create and read rows of table.
func openTable(t *testing.T, s *testserver.Server, admin, table string) {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/world?query="+`[{"column":"table_name","operator":"is","value":"`+table+`"}]`, nil, admin)
	data, _ := r.Map(t)["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("world row of %s: %s", table, r.Body)
	}
	id := data[0].(map[string]any)["id"].(string)
	r = s.Do(t, http.MethodPatch, "/api/world/"+id, map[string]any{"data": map[string]any{"type": "world", "id": id,
		"attributes": map[string]any{"permission": 2097151}}}, admin)
	if r.Status != http.StatusOK {
		t.Fatalf("open %s: %d %s", table, r.Status, r.Body)
	}
}

// names lists the name attribute of every item a GET /api/item returns.
func names(t *testing.T, s *testserver.Server, token string) map[string]bool {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/item?page[size]=500", nil, token)
	if r.Status != http.StatusOK {
		t.Fatalf("list on %s: %d %s", s.URL, r.Status, r.Body)
	}
	out := map[string]bool{}
	data, _ := r.Map(t)["data"].([]any)
	for _, d := range data {
		attrs := d.(map[string]any)["attributes"].(map[string]any)
		n, _ := attrs["name"].(string)
		out[n] = true
	}
	return out
}

func create(t *testing.T, s *testserver.Server, token, name string) string {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/api/item", map[string]any{"data": map[string]any{"type": "item",
		"attributes": map[string]any{"name": name}}}, token)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("create on %s: %d %s", s.URL, r.Status, r.Body)
	}
	return r.Map(t)["data"].(map[string]any)["id"].(string)
}
