package realtime

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// node runs script with a scenario and a JSON config from
// test/clients/ws and decodes its JSON answer into out. A missing node or
// npm install fails the test unless APIARY_SKIP_CLIENTS=1.
func node(t *testing.T, script, scenario string, cfg any, out any) {
	t.Helper()
	dir, err := filepath.Abs("../clients/ws")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		skipOrFail(t, "node not installed: "+err.Error())
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "y-websocket")); err != nil {
		skipOrFail(t, "npm packages missing, run test/deps.sh: "+err.Error())
	}
	js, _ := json.Marshal(cfg)
	cmd := exec.Command("node", script, scenario, string(js))
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		err = <-done
	}
	if err != nil {
		t.Fatalf("node %s %s: %v\n%s", script, scenario, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("node %s %s answered %q: %v", script, scenario, stdout.String(), err)
	}
}

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
		t.Skip(msg)
	}
	t.Fatal(msg)
}

func wsBase(s *testserver.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") }
