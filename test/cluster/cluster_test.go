package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
)

// TestCluster runs the cluster cases in order on one three-node cluster:
// booting three nodes on a fresh database costs seconds.
func TestCluster(t *testing.T) {
	nodes := startNodes(t, 3)
	admin := nodes[0].Admin(t)
	openTable(t, nodes[0], admin, "item")
	t.Run("status reports members", func(t *testing.T) {
		for i, s := range nodes {
			if got := members(t, s); got != 3 {
				t.Fatalf("node %d: cluster.members = %d", i+1, got)
			}
			if r := s.Do(t, http.MethodGet, "/metrics", nil, admin); !strings.Contains(string(r.Body), "\napiary_cluster_members 3\n") {
				t.Fatalf("node %d: /metrics lacks apiary_cluster_members 3 (%d)", i+1, r.Status)
			}
		}
	})
	t.Run("write on one node, read on the others never stale", func(t *testing.T) {
		var writes []time.Duration
		defer func() { t.Logf("acknowledged writes (invalidation included): %s", spread(writes)) }()
		for round := range 20 {
			w := nodes[round%3]
			// Warm the read caches of every node on the current state.
			for _, s := range nodes {
				names(t, s, admin)
			}
			name := fmt.Sprintf("item-%d", round)
			t0 := time.Now()
			create(t, w, admin, name)
			writes = append(writes, time.Since(t0))
			for i, s := range nodes {
				if !names(t, s, admin)[name] {
					t.Fatalf("round %d: node %d served a list without %q written on node %d", round, i+1, name, round%3+1)
				}
			}
		}
	})
	t.Run("live row events reach every node once", func(t *testing.T) { testLiveAcrossNodes(t, nodes, admin) })
	t.Run("user topics and messages across nodes", func(t *testing.T) { testUserTopicAcrossNodes(t, nodes, admin) })
	t.Run("yjs edits reach every node", func(t *testing.T) { testYjsAcrossNodes(t, nodes, admin) })
	t.Run("yjs room opened later on another node", func(t *testing.T) { testYjsLateJoinAcrossNodes(t, nodes, admin) })
	t.Run("schema upload applies on every node", func(t *testing.T) { testSchemaEverywhere(t, nodes, admin) })
	t.Run("sign-in lock-out shared by the nodes", func(t *testing.T) { testSigninLockoutShared(t, nodes) })
	t.Run("rate limit shared by the nodes", func(t *testing.T) { testRateLimitShared(t, nodes, admin) })
	defer t.Run("a node leaves under load", func(t *testing.T) { testNodeLeavesUnderLoad(t, nodes, admin) })
	t.Run("update and delete seen everywhere at once", func(t *testing.T) {
		id := create(t, nodes[1], admin, "to-rename")
		for _, s := range nodes {
			names(t, s, admin)
			s.Do(t, http.MethodGet, "/api/item/"+id, nil, admin)
		}
		r := nodes[2].Do(t, http.MethodPatch, "/api/item/"+id, map[string]any{"data": map[string]any{"type": "item", "id": id,
			"attributes": map[string]any{"name": "renamed"}}}, admin)
		if r.Status != http.StatusOK {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
		for i, s := range nodes {
			got := s.Do(t, http.MethodGet, "/api/item/"+id, nil, admin)
			if !strings.Contains(string(got.Body), `"renamed"`) {
				t.Fatalf("node %d: stale get after update: %s", i+1, got.Body)
			}
		}
		if r := nodes[0].Do(t, http.MethodDelete, "/api/item/"+id, nil, admin); r.Status >= 300 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		for i, s := range nodes {
			if got := s.Do(t, http.MethodGet, "/api/item/"+id, nil, admin); got.Status != http.StatusNotFound {
				t.Fatalf("node %d: get after delete = %d", i+1, got.Status)
			}
		}
	})
}

// TestSQLiteRefusesPeers: a node with peers on SQLite does not start and
// says why in one line.
func TestSQLiteRefusesPeers(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.DB.Type, cfg.DB.DSN = "sqlite3", t.TempDir()+"/a.db"
	cfg.Olric = server.OlricConfig{Peers: []string{"127.0.0.1:5337"}, Secret: secret}
	_, err := server.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "shared PostgreSQL or MySQL database") {
		t.Fatalf("err = %v", err)
	}
	cfg.DB.Type, cfg.DB.DSN = "postgres", "host=127.0.0.1"
	cfg.Olric.Secret = ""
	if _, err := server.New(context.Background(), cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "-cluster_secret") {
		t.Fatalf("no secret: err = %v", err)
	}
}

// spread formats the median and the largest of ds.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	slices.Sort(ds)
	return fmt.Sprintf("n=%d median=%v max=%v", len(ds), ds[len(ds)/2].Round(10*time.Microsecond), ds[len(ds)-1].Round(10*time.Microsecond))
}
