package realtime

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// bodyEntries reads the page's body column from GET /api/page/{ref}.
func bodyEntries(t *testing.T, s *testserver.Server, token, ref string) map[string]map[string]any {
	t.Helper()
	// x-crdt/yjs entries show only when asked for (contract §7.3)
	attrs := api(t, s, http.MethodGet, "/api/page/"+ref+"?included_relations=x-crdt%2Fyjs", nil, token, http.StatusOK)["data"].(map[string]any)["attributes"].(map[string]any)
	out := map[string]map[string]any{}
	var list []any
	switch v := attrs["body"].(type) {
	case []any:
		list = v
	case string: // the column's JSON text
		if err := json.Unmarshal([]byte(v), &list); err != nil {
			t.Fatalf("body %q: %v", v, err)
		}
	}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			name, _ := m["name"].(string)
			out[name] = m
		}
	}
	return out
}

// assetText fetches one file of the page's body column.
func assetText(t *testing.T, s *testserver.Server, token, ref, file string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/asset/page/"+ref+"/body?file="+file, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("asset %s: %d %s", file, resp.StatusCode, b)
	}
	return string(b)
}

// TestYjsSavedIntoRow: a y-websocket client edits the room of a row's
// asset column; the merged state is saved into that column as the
// body.yjs entry of type x-crdt/yjs with body.txt holding the text,
// through a normal update (a /live subscriber sees it), the row's other
// files are kept, and after a restart with the local room folder gone the
// room starts from the row's entry.
func TestYjsSavedIntoRow(t *testing.T) {
	t.Parallel()
	s := start(t)
	admin := s.Admin(t)
	ref := api(t, s, http.MethodPost, "/api/page", map[string]any{"data": map[string]any{"type": "page", "attributes": map[string]any{
		"title": "doc", "body": []any{map[string]any{"name": "cover.txt", "type": "text/plain", "contents": base64.StdEncoding.EncodeToString([]byte("cover"))}}}}},
		admin, http.StatusCreated)["data"].(map[string]any)["id"].(string)
	sub, _ := dial(t, s, admin)
	sub.call("s", "subscribe", map[string]any{"topicName": "page"})
	sub.expectOK("s", "subscribe")

	const text = "saved into the row"
	cfg := map[string]any{"base": wsBase(s), "path": "/live/page/" + ref + "/body", "room": "yjs", "tokens": map[string]string{"a": admin}, "text": text}
	var w struct{ Late lateJoin }
	node(t, "yjs-client.js", "write", cfg, &w)
	if w.Late.Text != text {
		t.Fatalf("room: %+v", w.Late)
	}
	var es map[string]map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for {
		es = bodyEntries(t, s, admin, ref)
		if es["body.txt"] != nil && es["body.yjs"] != nil && assetText(t, s, admin, ref, "body.txt") == text {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("room not saved into the row: %v", api(t, s, http.MethodGet, "/api/page/"+ref, nil, admin, http.StatusOK))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if es["body.yjs"]["type"] != "x-crdt/yjs" || es["cover.txt"] == nil {
		t.Fatalf("body entries: %v", es)
	}
	if f := sub.next(); f.Event != "update" || f.data(t)["reference_id"] != ref {
		t.Fatalf("no update event for the save: %s", f.Raw)
	}

	c := s.Config()
	if err := s.Srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(c.LocalStoragePath, "yjs-documents")); err != nil {
		t.Fatal(err)
	}
	s2 := testserver.Start(t, testserver.WithDatabase(c.SchemaDir, c.DB.Type, c.DB.DSN))
	cfg["base"] = wsBase(s2)
	var r struct{ Text string }
	node(t, "yjs-client.js", "read", cfg, &r)
	if r.Text != text {
		t.Fatalf("after restart without the local copy: %q", r.Text)
	}
}
