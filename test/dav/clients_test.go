package dav

import (
	"os"
	"os/exec"
	"testing"
)

// needClient returns the path of an external client, failing the test
// when it is missing unless APIARY_SKIP_CLIENTS=1.
func needClient(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
			t.Skipf("%s not installed (APIARY_SKIP_CLIENTS=1)", name)
		}
		t.Fatalf("%s is not installed: run test/deps.sh (or set APIARY_SKIP_CLIENTS=1)", name)
	}
	return p
}
