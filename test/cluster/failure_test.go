package cluster

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// TestUnreachablePeer: a node whose only peer does not answer starts at
// once, serves alone and reports one member.
func TestUnreachablePeer(t *testing.T) {
	needSharedDB(t)
	typ, dsn := dbtest.NewDSN(t)
	dead := freePort(t)
	t0 := time.Now()
	s := testserver.Start(t, testserver.WithDatabase(t.TempDir(), typ, dsn), testserver.WithSchema("schema_item.yaml", itemSchema),
		testserver.WithConfig(func(c *server.Config) {
			c.Olric = server.OlricConfig{Port: freePort(t), Peers: []string{fmt.Sprintf("127.0.0.1:%d", dead+1)}, Secret: secret}
		}))
	if r := s.Do(t, http.MethodGet, "/api/item", nil, s.Admin(t)); r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	// The bound covers migrating a fresh database on a busy machine (up
	// to 10 s seen) plus the join attempts (3 s): what must not happen is
	// waiting for the peer.
	if d := time.Since(t0); d > 25*time.Second {
		t.Fatalf("start-up with an unreachable peer took %v", d)
	}
	waitMembers(t, s, 1, "lone node")
}

// TestWrongSecret: a node with another secret is refused by the cluster.
func TestWrongSecret(t *testing.T) {
	needSharedDB(t)
	typ, dsn := dbtest.NewDSN(t)
	p1 := freePort(t)
	a := testserver.Start(t, testserver.WithDatabase(t.TempDir(), typ, dsn), testserver.WithSchema("schema_item.yaml", itemSchema),
		testserver.WithConfig(func(c *server.Config) {
			c.Olric = server.OlricConfig{Port: p1, Peers: []string{"127.0.0.1:1"}, Secret: secret}
		}))
	b := testserver.Start(t, testserver.WithDatabase(t.TempDir(), typ, dsn), testserver.WithSchema("schema_item.yaml", itemSchema),
		testserver.WithConfig(func(c *server.Config) {
			c.Olric = server.OlricConfig{Port: freePort(t), Peers: []string{fmt.Sprintf("127.0.0.1:%d", p1+1)}, Secret: "another-secret"}
		}))
	time.Sleep(2 * time.Second)
	if members(t, a) != 1 || members(t, b) != 1 {
		t.Fatalf("a node with the wrong secret joined: %d and %d members", members(t, a), members(t, b))
	}
}

// testNodeLeavesUnderLoad: while clients read and write on nodes 1 and 3,
// node 2 stops; no request to the others fails.
func testNodeLeavesUnderLoad(t *testing.T, nodes []*testserver.Server, admin string) {
	var wg sync.WaitGroup
	var bad atomic.Int64
	var done atomic.Bool
	for _, s := range []*testserver.Server{nodes[0], nodes[2]} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !done.Load(); i++ {
				r := s.Do(t, http.MethodGet, "/api/item", nil, admin)
				if r.Status >= 500 {
					bad.Add(1)
				}
				body := map[string]any{"data": map[string]any{"type": "item", "attributes": map[string]any{"name": fmt.Sprintf("load-%d", i)}}}
				if r := s.Do(t, http.MethodPost, "/api/item", body, admin); r.Status >= 500 {
					bad.Add(1)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	_ = nodes[1].Srv.Close()
	waitMembers(t, nodes[0], 2, "node 1 after node 2 left")
	time.Sleep(300 * time.Millisecond)
	done.Store(true)
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d requests failed with 5xx while node 2 left", bad.Load())
	}
	name := "after-leave"
	create(t, nodes[0], admin, name)
	if !names(t, nodes[2], admin)[name] {
		t.Fatal("node 3 stale after node 2 left")
	}
}

// TestSingleNodeStartsNoMember: without peers no Olric member exists: the
// status names the in-process cluster and nothing listens on the ports a
// member would take.
func TestSingleNodeStartsNoMember(t *testing.T) {
	p := freePort(t)
	s := testserver.Start(t, testserver.WithSchema("schema_item.yaml", itemSchema),
		testserver.WithConfig(func(c *server.Config) { c.Olric.Port = p }))
	r := s.Do(t, http.MethodGet, "/api/status", nil, "")
	c, _ := r.Map(t)["cluster"].(map[string]any)
	if c["node"] != "local" || c["members"] != float64(1) {
		t.Fatalf("cluster status of a single node: %v", c)
	}
	for _, port := range []int{p, p + 1} {
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			conn.Close()
			t.Fatalf("something listens on %d: a cluster member started without peers", port)
		}
	}
}
