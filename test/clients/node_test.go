package clients

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// runNodeSuite runs `node entry` in the npm project dir (relative to this
// folder) against a fresh server, with APIARY_URL set. It fails when node
// or the project's node_modules are missing (test/deps.sh installs them),
// unless APIARY_SKIP_CLIENTS=1. The realtime issue's suite (npm project
// ws/) runs through it too: runNodeSuite(t, s, "ws", "...").
func runNodeSuite(t *testing.T, s *testserver.Server, dir, entry string) {
	t.Helper()
	if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
		t.Skip("APIARY_SKIP_CLIENTS=1")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed (run test/deps.sh, or set APIARY_SKIP_CLIENTS=1)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatalf("%s/node_modules is missing: run test/deps.sh (npm ci), or set APIARY_SKIP_CLIENTS=1", dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, entry)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "APIARY_URL="+s.URL, "NODE_NO_WARNINGS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %s/%s: %v\n%s", dir, entry, err, out)
	}
	t.Logf("node %s/%s:\n%s", dir, entry, out)
}

// TestNodeClients drives a fresh server with daptin-client, devour-client
// and graphql-request (suite/main.mjs): sign-up to lock-down, schema
// upload, CRUD, relations, aggregates, GraphQL, and what a second user and
// a guest may not see or do.
func TestNodeClients(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	runNodeSuite(t, s, ".", "suite/main.mjs")
}
