package cluster

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/test/testserver"
)

// liveClient is a /live WebSocket connection.
type liveClient struct {
	t    *testing.T
	conn *websocket.Conn
}

type liveFrame struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	OK    *bool  `json:"ok"`
	Topic string `json:"topic"`
	Event string `json:"event"`
	Data  []byte `json:"data"`
	Raw   string `json:"-"`
}

func dialLive(t *testing.T, s *testserver.Server, token string) *liveClient {
	t.Helper()
	u := "ws" + strings.TrimPrefix(s.URL, "http") + "/live?token=" + token
	conn, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial /live: %v (%v)", err, resp)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := &liveClient{t: t, conn: conn}
	c.next() // the session frame
	return c
}

func (c *liveClient) send(v any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *liveClient) next() liveFrame {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, raw, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var f liveFrame
	if err := json.Unmarshal(raw, &f); err != nil {
		c.t.Fatalf("frame %s: %v", raw, err)
	}
	f.Raw = string(raw)
	return f
}

func (c *liveClient) subscribe(topic string) {
	c.t.Helper()
	c.send(map[string]any{"id": "s-" + topic, "method": "subscribe", "attributes": map[string]any{"topicName": topic}})
	if f := c.next(); f.Type != "response" || f.OK == nil || !*f.OK {
		c.t.Fatalf("subscribe %s: %s", topic, f.Raw)
	}
}

// quiet asserts nothing else arrives: the pong of a ping must come next.
// A late duplicate from another node would arrive within the wait.
func (c *liveClient) quiet() {
	c.t.Helper()
	time.Sleep(200 * time.Millisecond)
	c.send(map[string]any{"method": "ping"})
	if f := c.next(); f.Type != "pong" {
		c.t.Fatalf("expected nothing before the pong, got %s", f.Raw)
	}
}

// testLiveAcrossNodes: subscribers on nodes 1 and 3 receive a row created
// on node 2 exactly once, and a subscriber on node 2 too.
func testLiveAcrossNodes(t *testing.T, nodes []*testserver.Server, admin string) {
	clients := []*liveClient{dialLive(t, nodes[0], admin), dialLive(t, nodes[1], admin), dialLive(t, nodes[2], admin)}
	for _, c := range clients {
		c.subscribe("item")
	}
	var lat []time.Duration
	t0 := time.Now()
	id := create(t, nodes[1], admin, "live-item")
	for i, c := range clients {
		f := c.next()
		lat = append(lat, time.Since(t0))
		if f.Type != "event" || f.Topic != "item" || f.Event != "create" || !strings.Contains(string(f.Data), id) {
			t.Fatalf("node %d: want the create event of %s, got %s", i+1, id, f.Raw)
		}
	}
	t.Logf("write on node 2 to event on nodes 1, 2, 3 (write included): %v", lat)
	for _, c := range clients {
		c.quiet()
	}
}

// testUserTopicAcrossNodes: a topic created on node 1 exists on every node
// (default-cache DMap); a message published on node 2 reaches subscribers
// on nodes 1 and 3 once.
func testUserTopicAcrossNodes(t *testing.T, nodes []*testserver.Server, admin string) {
	c1, c2, c3 := dialLive(t, nodes[0], admin), dialLive(t, nodes[1], admin), dialLive(t, nodes[2], admin)
	c1.send(map[string]any{"id": "c", "method": "create-topicName", "attributes": map[string]any{"name": "room-x"}})
	if f := c1.next(); f.OK == nil || !*f.OK {
		t.Fatalf("create topic on node 1: %s", f.Raw)
	}
	c3.send(map[string]any{"id": "c", "method": "create-topicName", "attributes": map[string]any{"name": "room-x"}})
	if f := c3.next(); f.OK == nil || *f.OK {
		t.Fatalf("create the same topic on node 3 must fail (it exists): %s", f.Raw)
	}
	c1.subscribe("room-x")
	c3.subscribe("room-x")
	c2.send(map[string]any{"method": "new-message", "attributes": map[string]any{"topicName": "room-x", "message": map[string]any{"text": "hi"}}})
	for i, c := range []*liveClient{c1, c3} {
		f := c.next()
		if f.Type != "event" || f.Topic != "room-x" || f.Event != "new-message" || !strings.Contains(string(f.Data), `"hi"`) {
			t.Fatalf("subscriber %d: want the message, got %s", i+1, f.Raw)
		}
		c.quiet()
	}
}
