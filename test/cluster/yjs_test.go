package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/realtime/yjs"
	"github.com/apiary/apiary/test/testserver"
)

// yjsClient is a y-websocket session speaking the sync protocol by hand.
type yjsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialYjs(t *testing.T, s *testserver.Server, token, room string) *yjsClient {
	t.Helper()
	u := "ws" + strings.TrimPrefix(s.URL, "http") + "/yjs/" + room + "?token=" + token
	conn, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", u, err, resp)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := &yjsClient{t: t, conn: conn}
	if m := c.next(); m.Type != yjs.MsgSync || m.Sub != yjs.SyncStep1 {
		t.Fatalf("first message: %+v, want SyncStep1", m)
	}
	return c
}

// next returns the next sync or awareness message.
func (c *yjsClient) next() yjs.Message {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	ms, err := yjs.ReadMessages(b)
	if err != nil || len(ms) == 0 {
		c.t.Fatalf("bad frame %x: %v", b, err)
	}
	return ms[0]
}

func (c *yjsClient) insert(client uint64, text string) {
	c.t.Helper()
	u := yjs.TextInsert(client, 0, nil, "text", text)
	if err := c.conn.WriteMessage(websocket.BinaryMessage, yjs.SyncMessage(yjs.SyncUpdate, u)); err != nil {
		c.t.Fatal(err)
	}
}

// awaitText reads until an update carrying text arrives.
func (c *yjsClient) awaitText(text string) time.Duration {
	c.t.Helper()
	t0 := time.Now()
	for {
		m := c.next()
		if m.Type != yjs.MsgSync || m.Sub == yjs.SyncStep1 {
			continue
		}
		u, err := yjs.Decode(m.Payload)
		if err != nil {
			c.t.Fatalf("relayed update does not decode: %v", err)
		}
		if strings.Contains(u.PlainText(), text) {
			return time.Since(t0)
		}
	}
}

// testYjsAcrossNodes: an edit made through node 1 reaches a client of
// the same room on node 2 (and node 3), and an edit on node 3 reaches
// node 1; each node's room state has both.
func testYjsAcrossNodes(t *testing.T, nodes []*testserver.Server, admin string) {
	c1 := dialYjs(t, nodes[0], admin, "cluster-notes")
	c2 := dialYjs(t, nodes[1], admin, "cluster-notes")
	c3 := dialYjs(t, nodes[2], admin, "cluster-notes")
	time.Sleep(100 * time.Millisecond) // each node's room listens to the cluster
	c1.insert(101, "from node one")
	t.Logf("yjs edit node 1 -> node 2: %v", c2.awaitText("from node one"))
	c3.awaitText("from node one")
	c3.insert(303, "from node three")
	c1.awaitText("from node three")
	c2.awaitText("from node three")

	// A second client joining node 2's open room gets both edits in its
	// SyncStep2: node 2's room state holds what was typed elsewhere.
	late := dialYjs(t, nodes[1], admin, "cluster-notes")
	if err := late.conn.WriteMessage(websocket.BinaryMessage, yjs.SyncMessage(yjs.SyncStep1, yjs.EncodeStateVector(nil))); err != nil {
		t.Fatal(err)
	}
	for {
		m := late.next()
		if m.Type != yjs.MsgSync || m.Sub != yjs.SyncStep2 {
			continue
		}
		u, err := yjs.Decode(m.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if txt := u.PlainText(); !strings.Contains(txt, "from node one") || !strings.Contains(txt, "from node three") {
			t.Fatalf("node 2 room state %q lacks an edit made on another node", txt)
		}
		break
	}
}

// testYjsLateJoinAcrossNodes: text typed through node 1 into a room no
// other node has open reaches a client that opens the room on node 2
// afterwards, while the writer is still connected.
func testYjsLateJoinAcrossNodes(t *testing.T, nodes []*testserver.Server, admin string) {
	w := dialYjs(t, nodes[0], admin, "late-room")
	w.insert(707, "typed before node two opened the room")
	time.Sleep(200 * time.Millisecond) // node 1's room has it
	late := dialYjs(t, nodes[1], admin, "late-room")
	if err := late.conn.WriteMessage(websocket.BinaryMessage, yjs.SyncMessage(yjs.SyncStep1, yjs.EncodeStateVector(nil))); err != nil {
		t.Fatal(err)
	}
	t.Logf("late join on node 2 got node 1's text after %v", late.awaitText("typed before node two opened the room"))
}
