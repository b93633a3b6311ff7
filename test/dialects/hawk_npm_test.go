package dialects

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// hawkClientDir is the npm project of the hawk.js Daybed client.
func hawkClientDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "clients", "hawk")
}

// TestDaybedHawkJSClient drives Daybed with the hawk npm package: tokens,
// a model, a record, a replay and a forged key, a permission change.
func TestDaybedHawkJSClient(t *testing.T) {
	t.Parallel()
	dir := hawkClientDir(t)
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules", "hawk")); err != nil || statErr != nil {
		if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
			t.Skip("node or the hawk package is missing (APIARY_SKIP_CLIENTS=1)")
		}
		t.Fatalf("node (%v) or test/clients/hawk/node_modules (%v) missing: run test/deps.sh", err, statErr)
	}
	e := newDaybedEnv(t)
	out, err := exec.Command(node, filepath.Join(dir, "client.js"), e.s.URL, "alice@daybed.test", "alice-password").Output()
	var res struct {
		OK            bool   `json:"ok"`
		ID            string `json:"id"`
		CredentialsID string `json:"credentialsId"`
		Error         string `json:"error"`
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil || !res.OK || err != nil {
		t.Fatalf("hawk.js client: %v %s", err, out)
	}
	if res.CredentialsID != e.credID {
		t.Errorf("hawk.js got credentials %s, want %s", res.CredentialsID, e.credID)
	}
	// The record it wrote is a row JSON:API sees.
	rows := jsonapiList(t, e.s, e.alice, "hawktodo")
	if len(rows) != 1 || rows[0]["id"] != res.ID || rows[0]["attributes"].(map[string]any)["item"] != "signed by hawk" {
		t.Errorf("JSON:API rows %v", rows)
	}
}
