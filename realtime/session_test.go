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

// TestSlowConsumerDropped: a session whose outbound queue is full is
// closed at once, and enqueueing never blocks the publisher.
func TestSlowConsumerDropped(t *testing.T) {
	got := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		got <- c
	}))
	defer srv.Close()
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	h := &Hub{o: Options{Log: discardLog()}}
	s := newSession(h, <-got, auth.Principal{UserID: 1, UserRef: "u"}, 1)
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
