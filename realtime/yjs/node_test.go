package yjs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fixture is one case made by test/clients/ws/yjs-tool.js with real yjs.
type fixture struct {
	Name        string   `json:"name"`
	Updates     []string `json:"updates"`
	Expect      string   `json:"expect"`
	StateSize   int      `json:"stateSize"`
	StateVector string   `json:"stateVector"`
	PeerState   string   `json:"peerState"`
	PeerVector  string   `json:"peerVector"`
	Merged      string   `json:"merged,omitempty"`
	Diff        string   `json:"diff,omitempty"`
}

// yjsTool runs the Node fixture tool; without node or its packages the
// test fails unless APIARY_SKIP_CLIENTS=1.
func yjsTool(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	dir, err := filepath.Abs("../../test/clients/ws")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "yjs")); err != nil {
		if os.Getenv("APIARY_SKIP_CLIENTS") == "1" {
			t.Skip("yjs npm package not installed (APIARY_SKIP_CLIENTS=1)")
		}
		t.Fatalf("yjs npm package missing: run test/deps.sh (%v)", err)
	}
	cmd := exec.Command("node", append([]string{"yjs-tool.js"}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node yjs-tool.js %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAgainstYjs merges the updates of real editing sessions, answers a
// half-synced peer's state vector, and lets yjs check both documents.
func TestAgainstYjs(t *testing.T) {
	var cases []fixture
	if err := json.Unmarshal(yjsTool(t, nil, "gen"), &cases); err != nil {
		t.Fatal(err)
	}
	for i := range cases {
		c := &cases[i]
		var ups [][]byte
		for _, u := range c.Updates {
			ups = append(ups, unb64(t, u))
		}
		merged, err := Merge(ups...)
		if err != nil {
			t.Fatalf("%s: merge: %v", c.Name, err)
		}
		want, err := DecodeStateVector(unb64(t, c.StateVector))
		if err != nil {
			t.Fatal(err)
		}
		if got := merged.StateVector(); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: state vector %v, yjs says %v", c.Name, got, want)
		}
		if got, want := merged.Text()["text"], expectedText(t, c.Expect); got != want {
			t.Errorf("%s: text\n got  %q\n want %q", c.Name, got, want)
		}
		enc := merged.Encode(nil)
		c.Merged = base64.StdEncoding.EncodeToString(enc)
		if len(enc) > 2*c.StateSize {
			t.Errorf("%s: merged state %d bytes > 2 × encodeStateAsUpdate (%d)", c.Name, len(enc), c.StateSize)
		}
		t.Logf("%s: %d updates, merged %d bytes, yjs encodeStateAsUpdate %d bytes", c.Name, len(ups), len(enc), c.StateSize)
		sv, err := DecodeStateVector(unb64(t, c.PeerVector))
		if err != nil {
			t.Fatal(err)
		}
		c.Diff = base64.StdEncoding.EncodeToString(merged.Encode(sv))
	}
	in, _ := json.Marshal(cases)
	var res []struct {
		Name     string `json:"name"`
		MergedOK bool   `json:"mergedOK"`
		DiffOK   bool   `json:"diffOK"`
		Pending  bool   `json:"pending"`
		Got      string `json:"got"`
	}
	if err := json.Unmarshal(yjsTool(t, in, "check"), &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != len(cases) {
		t.Fatalf("checked %d of %d cases", len(res), len(cases))
	}
	for i, r := range res {
		if !r.MergedOK || !r.DiffOK || r.Pending {
			t.Errorf("%s: merged ok %v, diff ok %v, pending %v\n got  %s\n want %.200s", r.Name, r.MergedOK, r.DiffOK, r.Pending, r.Got, cases[i].Expect)
		}
	}
}

// expectedText joins the string inserts of the fixture's text delta.
func expectedText(t *testing.T, snapshot string) string {
	t.Helper()
	var doc struct {
		Text []struct {
			Insert any `json:"insert"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(snapshot), &doc); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, op := range doc.Text {
		if s, ok := op.Insert.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}
