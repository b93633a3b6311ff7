package realtime

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/test/testserver"
)

type lateJoin struct {
	Step2 int    `json:"step2"`
	Bytes int    `json:"bytes"`
	Text  string `json:"text"`
}

// TestYjsConverge: two y-websocket clients editing one free-form room
// converge, see each other's presence, and a late joiner gets the whole
// document in one SyncStep2.
func yjsConverge(t *testing.T, e env) {
	s := e.s
	alice := e.alice
	bob := e.bob
	var out struct {
		A, B string
		Late lateJoin
	}
	node(t, "yjs-client.js", "converge", map[string]any{"base": wsBase(s), "path": "/yjs", "room": "shared-notes",
		"tokens": map[string]string{"a": alice, "b": bob}}, &out)
	if out.A != out.B || strings.Count(out.A, "a") != 20 || strings.Count(out.A, "b") != 20 {
		t.Fatalf("not converged: %q vs %q", out.A, out.B)
	}
	if out.Late.Step2 != 1 || out.Late.Text != out.A {
		t.Fatalf("late joiner: %+v, want %q in one SyncStep2", out.Late, out.A)
	}
}

// TestYjsRowDocumentReadOnly: the row's file column is a room; a user
// who may read but not update the row gets a read-only session.
func yjsRowDocumentReadOnly(t *testing.T, e env) {
	s := e.s
	admin := e.admin
	bob := e.bob
	ref := createTodo(t, s, admin, map[string]any{"title": "doc"})
	// Anyone signed in may read the row; only its owner (the admin) may update it.
	api(t, s, http.MethodPatch, "/api/todo/"+ref, map[string]any{"data": map[string]any{"type": "todo", "id": ref,
		"attributes": map[string]any{"permission": 2097151 &^ (8 | 1024 | 131072)}}}, admin, http.StatusOK)
	api(t, s, http.MethodGet, "/api/todo/"+ref, nil, bob, http.StatusOK)
	var out struct {
		Writer, Reader string
		Late           lateJoin
	}
	node(t, "yjs-client.js", "readonly", map[string]any{"base": wsBase(s), "path": "/live/todo/" + ref + "/notes", "room": "yjs",
		"tokens": map[string]string{"writer": admin, "reader": bob}}, &out)
	if out.Writer != "from writer!" || out.Late.Text != "from writer!" {
		t.Fatalf("read-only edit applied: writer %q, stored %q", out.Writer, out.Late.Text)
	}
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{"/live/todo/" + ref + "/notes/yjs", "", http.StatusForbidden},
		{"/live/nope/" + ref + "/notes/yjs", admin, http.StatusNotFound},
		{"/live/todo/" + ref + "/title/yjs", admin, http.StatusNotFound},
		{"/live/todo/not-a-uuid/notes/yjs", admin, http.StatusBadRequest},
		{"/live/todo/01a24d07-298d-7cf8-94fd-cedce707bbac/notes/yjs", admin, http.StatusNotFound},
		{"/yjs/todo." + ref + ".title", admin, http.StatusNotFound},
		{"/yjs/" + strings.Repeat("n", 201), admin, http.StatusBadRequest},
	} {
		u := wsBase(s) + tc.path
		if tc.token != "" {
			u += "?token=" + tc.token
		}
		_, resp, err := websocket.DefaultDialer.Dial(u, nil)
		if err == nil || resp == nil || resp.StatusCode != tc.want {
			t.Errorf("%s: want %d, got %v %v", tc.path, tc.want, resp, err)
		}
	}
}

// TestYjsSurvivesRestart: the compacted state is saved in the local
// storage folder and served after a restart.
func TestYjsSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := start(t)
	alice := s.User(t, "Alice", "alice@example.test", "alice-password")
	cfg := map[string]any{"base": wsBase(s), "path": "/yjs", "room": "diary", "tokens": map[string]string{"a": alice}, "text": "kept across restarts"}
	var w struct{ Late lateJoin }
	node(t, "yjs-client.js", "write", cfg, &w)
	if w.Late.Text != "kept across restarts" {
		t.Fatalf("before restart: %+v", w.Late)
	}
	c := s.Config()
	if err := s.Srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.LocalStoragePath, "yjs-documents", "diary.yjs")); err != nil {
		t.Fatalf("room not saved: %v", err)
	}
	if txt, err := os.ReadFile(filepath.Join(c.LocalStoragePath, "yjs-documents", "diary.txt")); err != nil || string(txt) != "kept across restarts" {
		t.Fatalf("text snapshot: %q %v", txt, err)
	}
	s2 := testserver.Start(t, testserver.WithDatabase(c.SchemaDir, c.DB.Type, c.DB.DSN))
	cfg["base"] = wsBase(s2)
	var r struct{ Text string }
	node(t, "yjs-client.js", "read", cfg, &r)
	if r.Text != "kept across restarts" {
		t.Fatalf("after restart: %q", r.Text)
	}
	// yjs.enabled=false (read at start-up) turns the YJS routes off.
	admin := s2.Admin(t)
	if r := s2.Do(t, http.MethodPut, "/_config/backend/yjs.enabled", "false", admin); r.Status != http.StatusOK {
		t.Fatalf("yjs.enabled: %d %s", r.Status, r.Body)
	}
	if err := s2.Srv.Close(); err != nil {
		t.Fatal(err)
	}
	s3 := testserver.Start(t, testserver.WithDatabase(c.SchemaDir, c.DB.Type, c.DB.DSN))
	if _, resp, err := websocket.DefaultDialer.Dial(wsBase(s3)+"/yjs/diary?token="+alice, nil); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("YJS with yjs.enabled=false: %v %v", resp, err)
	}
}

// TestYjsManyEditsStayCompact: after 10,000 small edits the server's
// state is within 2× of Y.encodeStateAsUpdate of the same document.
func yjsManyEditsStayCompact(t *testing.T, e env) {
	s := e.s
	alice := e.alice
	var out struct {
		Text        bool
		ServerBytes int
		YjsBytes    int
		Step2       int
	}
	node(t, "yjs-client.js", "edits", map[string]any{"base": wsBase(s), "path": "/yjs", "room": "long", "n": 10000,
		"tokens": map[string]string{"a": alice}}, &out)
	t.Logf("10,000 edits: server state %d bytes, Y.encodeStateAsUpdate %d bytes", out.ServerBytes, out.YjsBytes)
	if !out.Text || out.Step2 != 1 || out.ServerBytes > 2*out.YjsBytes {
		t.Fatalf("state after 10,000 edits: %+v", out)
	}
}

// TestYjsBadBytesCloseOnlyThatSession: garbage closes the sender with
// 1003 and leaves the room's state intact.
func yjsBadBytesCloseOnlyThatSession(t *testing.T, e env) {
	s := e.s
	alice := e.alice
	cfg := map[string]any{"base": wsBase(s), "path": "/yjs", "room": "fragile", "tokens": map[string]string{"a": alice}, "text": "intact"}
	var w struct{ Late lateJoin }
	node(t, "yjs-client.js", "write", cfg, &w)
	conn, _, err := websocket.DefaultDialer.Dial(wsBase(s)+"/yjs/fragile?token="+alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.WriteMessage(websocket.BinaryMessage, []byte{0, 2, 5, 1, 1, 1, 0, 8})
	for {
		if _, _, err = conn.ReadMessage(); err != nil {
			break
		}
	}
	if !websocket.IsCloseError(err, websocket.CloseUnsupportedData) {
		t.Fatalf("want close 1003, got %v", err)
	}
	var r struct{ Text string }
	node(t, "yjs-client.js", "read", cfg, &r)
	if r.Text != "intact" {
		t.Fatalf("state after bad bytes: %q", r.Text)
	}
}
