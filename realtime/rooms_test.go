package realtime

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/realtime/yjs"
	"github.com/apiary/apiary/resource"
)

func TestIsRoute(t *testing.T) {
	for path, want := range map[string]bool{
		"/yjs/room":                 true,
		"/yjs/":                     false,
		"/live/todo/ref/notes/yjs":  true,
		"/live/todo/ref/notes":      false,
		"/live/todo/ref/notes/yjs/": false,
		"/live":                     false,
		"/api/todo":                 false,
		"/other/todo/ref/notes/yjs": false,
		"/lives/todo/ref/notes/yjs": false,
		"/live/todo/ref/notes/xyjs": false,
		"/live//ref/notes/yjs":      true, // an empty part still counts
		"/live/todo/ref/no/tes/yjs": false,
		"/live/a/b/yjs":             false,
	} {
		if IsRoute(path) != want {
			t.Errorf("%s: want %v", path, want)
		}
	}
}

func TestAuthorize(t *testing.T) {
	res := newFakeRes(t)
	res.put("todo", rowRef, map[string]any{"title": "x"})
	res.canWrite = func(p auth.Principal) bool { return p.UserRef == "u-ann" }
	rs := NewRooms(RoomOptions{Res: func() resource.Service { return res }, Store: &memStore{}})
	for _, tc := range []struct {
		name                string
		p                   auth.Principal
		table, ref, column  string
		getErr              error
		wantName            string
		wantAccess, wantSts int
	}{
		{"writer", pAnn, "todo", rowRef, "notes", nil, "todo." + rowRef + ".notes", int(accessWrite), 200},
		{"upper-case uuid is normalised", pAnn, "todo", strings.ToUpper(rowRef), "notes", nil, "todo." + rowRef + ".notes", int(accessWrite), 200},
		{"reader", pBob, "todo", rowRef, "notes", nil, "todo." + rowRef + ".notes", int(accessRead), 200},
		{"unknown table", pAnn, "nope", rowRef, "notes", nil, "", int(accessNone), 404},
		{"not a file column", pAnn, "todo", rowRef, "title", nil, "", int(accessNone), 404},
		{"unknown column", pAnn, "todo", rowRef, "zzz", nil, "", int(accessNone), 404},
		{"bad uuid", pAnn, "todo", "not-a-uuid", "notes", nil, "", int(accessNone), 400},
		{"missing row", pAnn, "todo", "01a24d07-298d-7cf8-94fd-000000000000", "notes", nil, "", int(accessNone), 404},
		{"forbidden row", pAnn, "todo", rowRef, "notes", &resource.Error{Kind: resource.ErrForbidden}, "", int(accessNone), 404},
		{"database error", pAnn, "todo", rowRef, "notes", errors.New("down"), "", int(accessNone), 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res.getErr = tc.getErr
			name, acc, sts := rs.authorize(auth.WithPrincipal(context.Background(), tc.p), tc.table, tc.ref, tc.column)
			if name != tc.wantName || int(acc) != tc.wantAccess || sts != tc.wantSts {
				t.Fatalf("got %q %v %d", name, acc, sts)
			}
		})
	}
}

// roomClient is a raw y-protocols client of a Rooms server.
type roomClient struct {
	t *testing.T
	c *websocket.Conn
}

func dialRoom(t *testing.T, srv *httptest.Server, path, as string) *roomClient {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+path+"?as="+as, nil)
	if err != nil {
		t.Fatalf("dial %s: %v %v", path, err, resp)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &roomClient{t: t, c: c}
}

func (rc *roomClient) send(frame []byte) {
	rc.t.Helper()
	if err := rc.c.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		rc.t.Fatal(err)
	}
}

// next reads frames until one holds a message of type typ (and sync
// sub-type sub, when typ is sync).
func (rc *roomClient) next(typ, sub uint64) yjs.Message {
	rc.t.Helper()
	for {
		_ = rc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, b, err := rc.c.ReadMessage()
		if err != nil {
			rc.t.Fatalf("read: %v", err)
		}
		msgs, err := yjs.ReadMessages(b)
		if err != nil {
			rc.t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Type == typ && (typ != yjs.MsgSync || m.Sub == sub) {
				return m
			}
		}
	}
}

func textOf(t *testing.T, update []byte) string {
	t.Helper()
	u, err := yjs.Decode(update)
	if err != nil {
		t.Fatal(err)
	}
	return u.PlainText()
}

func newRoomServer(t *testing.T) (*Rooms, *httptest.Server, *memStore, *fakeRes) {
	res := newFakeRes(t)
	res.put("todo", rowRef, map[string]any{})
	res.canWrite = func(p auth.Principal) bool { return p.UserRef == "u-ann" }
	store := &memStore{m: map[string][]byte{}, txt: map[string]string{}}
	rs := NewRooms(RoomOptions{Res: func() resource.Service { return res }, Store: store})
	srv := httptest.NewServer(withAs(rs))
	t.Cleanup(func() { rs.Close(); srv.Close() })
	return rs, srv, store, res
}

// TestRoomSync: a client's edit reaches the other session, a late joiner
// gets exactly the missing part in a SyncStep2, presence is relayed, and
// the state is saved when the last session leaves.
func TestRoomSync(t *testing.T) {
	rs, srv, store, _ := newRoomServer(t)
	a := dialRoom(t, srv, "/yjs/doc", "ann")
	b := dialRoom(t, srv, "/yjs/doc", "bob")
	a.next(yjs.MsgSync, yjs.SyncStep1) // the server's state vector
	b.next(yjs.MsgSync, yjs.SyncStep1)
	edit := yjs.TextInsert(11, 0, nil, "text", "hello")
	a.send(yjs.SyncMessage(yjs.SyncUpdate, edit))
	if got := b.next(yjs.MsgSync, yjs.SyncUpdate); textOf(t, got.Payload) != "hello" {
		t.Fatalf("relayed %q", textOf(t, got.Payload))
	}
	// b asks with an empty state vector: it gets everything.
	b.send(yjs.SyncMessage(yjs.SyncStep1, yjs.EncodeStateVector(yjs.StateVector{})))
	if got := b.next(yjs.MsgSync, yjs.SyncStep2); textOf(t, got.Payload) != "hello" {
		t.Fatalf("step2 %q", textOf(t, got.Payload))
	}
	// a, who has everything, gets an empty diff.
	a.send(yjs.SyncMessage(yjs.SyncStep1, yjs.EncodeStateVector(yjs.StateVector{11: 5})))
	if got := a.next(yjs.MsgSync, yjs.SyncStep2); textOf(t, got.Payload) != "" {
		t.Fatalf("diff for an up-to-date client: %q", textOf(t, got.Payload))
	}
	// Presence: a's awareness reaches b; a query answers with it.
	aw := yjs.EncodeAwareness([]yjs.AwarenessEntry{{Client: 11, Clock: 1, State: []byte(`{"user":"ann"}`)}})
	a.send(yjs.AwarenessMessage(aw))
	if got := b.next(yjs.MsgAwareness, 0); !strings.Contains(string(got.Payload), "ann") {
		t.Fatalf("awareness %q", got.Payload)
	}
	b.send([]byte{yjs.MsgQueryAwareness})
	if got := b.next(yjs.MsgAwareness, 0); !strings.Contains(string(got.Payload), "ann") {
		t.Fatalf("queried awareness %q", got.Payload)
	}
	// a leaves: b learns its presence is gone.
	_ = a.c.Close()
	if got := b.next(yjs.MsgAwareness, 0); !strings.Contains(string(got.Payload), "null") {
		t.Fatalf("presence not withdrawn: %q", got.Payload)
	}
	_ = b.c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := rs.State("doc")
		if err == nil && len(st) > 0 && textOf(t, st) == "hello" && store.text("doc") == "hello" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not saved: %v %q", err, store.text("doc"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRoomReadOnlyAndBadBytes: a read-only session's edits are dropped;
// bad bytes close only the session that sent them and leave the state as
// it was.
func TestRoomReadOnlyAndBadBytes(t *testing.T) {
	rs, srv, _, _ := newRoomServer(t)
	path := "/live/todo/" + rowRef + "/notes/yjs"
	w := dialRoom(t, srv, path, "ann")
	r := dialRoom(t, srv, path, "bob")
	w.next(yjs.MsgSync, yjs.SyncStep1)
	r.next(yjs.MsgSync, yjs.SyncStep1)
	r.send(yjs.SyncMessage(yjs.SyncUpdate, yjs.TextInsert(22, 0, nil, "text", "reader")))
	w.send(yjs.SyncMessage(yjs.SyncUpdate, yjs.TextInsert(11, 0, nil, "text", "writer")))
	if got := r.next(yjs.MsgSync, yjs.SyncUpdate); textOf(t, got.Payload) != "writer" {
		t.Fatalf("reader got %q", textOf(t, got.Payload))
	}
	room := "todo." + rowRef + ".notes"
	st, _ := rs.State(room)
	if textOf(t, st) != "writer" {
		t.Fatalf("state %q: the read-only edit was applied", textOf(t, st))
	}
	for _, bad := range [][]byte{
		{yjs.MsgSync, yjs.SyncUpdate, 5, 1, 2},        // payload shorter than its length
		{yjs.MsgSync, 9, 0},                           // unknown sync sub-type
		yjs.SyncMessage(yjs.SyncUpdate, []byte{0xff}), // not an update
	} {
		bc := dialRoom(t, srv, path, "ann")
		bc.next(yjs.MsgSync, yjs.SyncStep1)
		bc.send(bad)
		_ = bc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, _, err := bc.c.ReadMessage(); err != nil {
				if !websocket.IsCloseError(err, websocket.CloseUnsupportedData) {
					t.Fatalf("bad bytes %v: %v", bad, err)
				}
				break
			}
		}
	}
	w.send(yjs.SyncMessage(yjs.SyncStep1, yjs.EncodeStateVector(yjs.StateVector{})))
	if got := w.next(yjs.MsgSync, yjs.SyncStep2); textOf(t, got.Payload) != "writer" {
		t.Fatalf("state after bad bytes %q", textOf(t, got.Payload))
	}
}

func TestRoomRefusals(t *testing.T) {
	_, srv, _, _ := newRoomServer(t)
	for _, tc := range []struct {
		path, as string
		want     int
	}{
		{"/yjs/doc", "", http.StatusForbidden},
		{"/yjs/" + strings.Repeat("n", maxRoomName+1), "ann", http.StatusBadRequest},
		{"/live/todo/" + rowRef + "/title/yjs", "ann", http.StatusNotFound},
		{"/yjs/todo." + rowRef + ".title", "ann", http.StatusNotFound},
		{"/live/todo/bad/notes/yjs", "ann", http.StatusBadRequest},
	} {
		_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+tc.path+"?as="+tc.as, nil)
		if err == nil || resp == nil || resp.StatusCode != tc.want {
			t.Errorf("%s as %q: %v %v, want %d", tc.path, tc.as, resp, err, tc.want)
		}
	}
}
