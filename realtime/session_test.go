package realtime

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/auth"
)

// bareSession is a session of h on a real WebSocket connection whose
// reader does not run, and the client end of that connection.
func bareSession(t *testing.T, h *Hub) (*session, *websocket.Conn) {
	t.Helper()
	got := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		got <- c
	}))
	t.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return newSession(h, <-got, auth.Principal{UserID: 1, UserRef: "u"}, 1), client
}

// TestSlowConsumerDropped: a session whose outbound queue is full is
// closed at once, and enqueueing never blocks the publisher.
func TestSlowConsumerDropped(t *testing.T) {
	s, client := bareSession(t, &Hub{o: Options{Log: discardLog()}})
	// The writer is busy (writing) but never drains: the queue fills and
	// the next frame drops the client.
	s.writing = true
	t0 := time.Now()
	for i := 0; i < OutboundBuffer+10; i++ {
		s.enqueue(outItem{frame: []byte(`{}`)})
	}
	if time.Since(t0) > time.Second {
		t.Fatal("enqueue blocked")
	}
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		t.Fatal("slow consumer not dropped")
	}
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := client.ReadMessage(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Fatalf("want close 1008, got %v", err)
	}
}

// TestReadDeadlineResetByPing: {"method":"ping"} keeps a session open past
// the read deadline; silence closes it.
func TestReadDeadlineResetByPing(t *testing.T) {
	h := &Hub{o: Options{Log: discardLog(), ReadIdle: 300 * time.Millisecond}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		newSession(h, c, auth.Principal{UserID: 1, UserRef: "u"}, 1).run()
	}))
	defer srv.Close()
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, msg, err := client.ReadMessage(); err != nil || !strings.Contains(string(msg), `"session"`) {
		t.Fatalf("session frame %s %v", msg, err)
	}
	for i := 0; i < 6; i++ { // 900 ms in all, three read deadlines
		time.Sleep(150 * time.Millisecond)
		if err := client.WriteMessage(websocket.TextMessage, []byte(`{"method":"ping"}`)); err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
		_ = client.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, msg, err := client.ReadMessage(); err != nil || string(msg) != `{"type":"pong"}` {
			t.Fatalf("pong %d: %s %v", i, msg, err)
		}
	}
	_ = client.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, _, err := client.ReadMessage(); err == nil {
		t.Fatal("silent session still open")
	}
}

// TestWriterCoalesces: while a session's writer pauses after a write, the
// events that arrive wait for the end of the coalescing interval (and then
// go out together), but a reply ends the pause at once, and so does an
// event after a quiet interval.
func TestWriterCoalesces(t *testing.T) {
	const coalesce = time.Second
	s, client := bareSession(t, &Hub{o: Options{Log: discardLog(), Coalesce: coalesce}})
	defer s.stop()
	sub := &subscription{topic: "t"}
	read := func(want string) time.Time {
		t.Helper()
		_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, b, err := client.ReadMessage()
		if err != nil || !strings.Contains(string(b), want) {
			t.Fatalf("want %s, got %s %v", want, b, err)
		}
		return time.Now()
	}
	s.enqueue(outItem{frame: []byte(`{"type":"a"}`)})
	read(`"a"`)
	t0 := time.Now()
	s.enqueue(outItem{events: []*Event{{Topic: "t", Kind: "create", Source: "database", Data: []byte(`{"n":1}`)}}, sub: sub})
	s.enqueue(outItem{events: []*Event{{Topic: "t", Kind: "create", Source: "database", Data: []byte(`{"n":2}`)}}, sub: sub})
	if d := read(`"event"`).Sub(t0); d < coalesce/2 {
		t.Fatalf("event written %v after it was queued, inside the coalescing interval", d)
	}
	read(`"event"`)
	t1 := time.Now()
	s.enqueue(outItem{frame: []byte(`{"type":"b"}`)})
	if d := read(`"b"`).Sub(t1); d >= coalesce*9/10 {
		t.Fatalf("reply waited %v for the coalescing interval", d)
	}
	// A whole interval without frames: the writer is idle, and the next
	// event goes out at once.
	time.Sleep(coalesce * 11 / 10)
	t2 := time.Now()
	s.enqueue(outItem{events: []*Event{{Topic: "t", Kind: "create", Source: "database", Data: []byte(`{"n":3}`)}}, sub: sub})
	if d := read(`"event"`).Sub(t2); d >= coalesce/2 {
		t.Fatalf("event after a quiet interval waited %v", d)
	}
}
