package realtime

import (
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/auth"
)

// outMsg is every frame the server sends (contract §1.3); empty fields
// are omitted and data is base64 on the wire.
type outMsg struct {
	Type   string `json:"type"`
	ID     string `json:"id,omitempty"`
	Method string `json:"method,omitempty"`
	OK     *bool  `json:"ok,omitempty"`
	Error  string `json:"error,omitempty"`
	Topic  string `json:"topic,omitempty"`
	Event  string `json:"event,omitempty"`
	Source string `json:"source,omitempty"`
	Status string `json:"status,omitempty"`
	Data   []byte `json:"data,omitempty"`
}

// inMsg is a client request (contract §1.2).
type inMsg struct {
	ID         string         `json:"id"`
	Method     string         `json:"method"`
	Attributes map[string]any `json:"attributes"`
}

// outItem is one queued entry: a ready frame, or events of one
// subscription still to be checked against the subscriber's permission
// and filters (a batch the topic's feed shares between its subscribers).
type outItem struct {
	frame  []byte
	events []*Event
	sub    *subscription
}

// subscription is one topic a session listens to.
type subscription struct {
	s       *session
	topic   string
	filters map[string]any
	cancel  func()
}

// session is one /live connection. An idle session holds one goroutine
// (the reader) and no outbound buffer: the queue grows with use, up to
// OutboundBuffer frames, and a writer goroutine (writer.go) runs only
// while there is something to send.
type session struct {
	h       *Hub
	conn    *websocket.Conn
	p       auth.Principal
	id      int64
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	subs    map[string]*subscription
	perms   *rowChecker
	wmu     sync.Mutex // held while frames or a close frame are written
	qmu     sync.Mutex
	queue   []outItem
	queued  int           // frames in queue (an events item counts each event)
	kick    chan struct{} // ends the writer's coalescing wait early
	writing bool
	idle    bool // the writer found the queue empty and waits: events wake it
	dropped bool // the queue overflowed: the session is being closed
}

func newSession(h *Hub, conn *websocket.Conn, p auth.Principal, id int64) *session {
	return &session{h: h, conn: conn, p: p, id: id, done: make(chan struct{}), kick: make(chan struct{}, 1), subs: map[string]*subscription{}, perms: newRowChecker(h, p)}
}

// errMalformed ends a session whose client sent something that is not JSON.
var errMalformed = errors.New("malformed JSON")

// run sends the session frame, then reads requests until the client goes.
func (s *session) run() {
	defer s.cleanup()
	s.conn.SetReadLimit(MaxMessage)
	groups := make([]string, 0, len(s.p.Groups))
	for _, g := range s.p.Groups {
		groups = append(groups, g.Ref)
	}
	data, _ := json.Marshal(map[string]any{"user": s.p.UserRef, "groups": groups, "sessionId": s.id})
	s.sendMsg(outMsg{Type: "session", Status: "open", Data: data})
	for {
		_ = s.conn.SetReadDeadline(time.Now().Add(s.h.o.ReadIdle))
		_, raw, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		var m inMsg
		if err := json.Unmarshal(raw, &m); err != nil {
			s.h.o.Log.Debug("live client sent malformed JSON", "session_id", s.id)
			s.closeWith(websocket.CloseNormalClosure, errMalformed.Error())
			return
		}
		s.dispatch(m)
	}
}

// cleanup cancels every subscription and stops the writer.
func (s *session) cleanup() {
	s.mu.Lock()
	for _, sub := range s.subs {
		sub.cancel()
	}
	s.subs = map[string]*subscription{}
	s.mu.Unlock()
	s.stop()
	_ = s.conn.Close()
}

func (s *session) stop() { s.once.Do(func() { close(s.done) }) }

// closeWith sends a close frame and ends the session.
func (s *session) closeWith(code int, reason string) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeWait))
	s.stop()
	_ = s.conn.Close()
}
