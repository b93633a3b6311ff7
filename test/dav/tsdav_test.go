package dav

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// TestTsdav runs test/clients/dav/flows.mjs (tsdav, the JS client of web
// apps) against the server.
func testTsdav(t *testing.T, s *testserver.Server) {
	node := needClient(t, "node")
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "clients", "dav")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "tsdav")); err != nil {
		if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
			t.Skip("tsdav not installed (APIARY_SKIP_CLIENTS=1)")
		}
		t.Fatal("tsdav is not installed in test/clients/dav: run test/deps.sh")
	}
	u := newUser(t, s, "tess")
	u.do(t, "MKCOL", u.cardHome()+"contacts/", nil, mkAddressBook).want(t, 201, "MKCOL address book")
	cmd := exec.Command(node, "flows.mjs", s.URL, u.email, u.pass)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("tsdav flows: %v\n%s", err, out)
	}
}
