package realtime

import (
	"encoding/json"
	"errors"
	"net"
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

// outItem is one queued frame: ready bytes, or an event still to be
// checked against the subscriber's permission and filters.
type outItem struct {
	frame []byte
	event *Event
	sub   *subscription
}

// subscription is one topic a session listens to.
type subscription struct {
	topic   string
	filters map[string]any
	cancel  func()
}

// session is one /live connection. An idle session holds one goroutine
// (the reader) and no outbound buffer: the queue grows with use, up to
// OutboundBuffer items, and a writer goroutine runs only while it is not
// empty.
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

// enqueue queues an item; a full queue drops the client (a slow consumer
// must not slow the publisher or the other subscribers).
func (s *session) enqueue(it outItem) {
	select {
	case <-s.done:
		return
	default:
	}
	s.qmu.Lock()
	if len(s.queue) >= OutboundBuffer {
		first := !s.dropped
		s.dropped = true
		s.qmu.Unlock()
		if first {
			s.h.o.Log.Warn("live client too slow, dropped", "session_id", s.id, "buffer", OutboundBuffer)
			go s.closeWith(websocket.ClosePolicyViolation, "outbound buffer full")
		}
		return
	}
	s.queue = append(s.queue, it)
	start := !s.writing
	s.writing = true
	// A reply, a queue filling up, or anything that finds the writer idle
	// does not wait for the coalescing interval to end.
	kick := !start && (it.event == nil || len(s.queue) == kickAt || s.idle)
	s.qmu.Unlock()
	switch {
	case start:
		go s.drain()
	case kick:
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

func (s *session) sendMsg(m outMsg) {
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	s.enqueue(outItem{frame: b})
}

// drain writes queued frames in order until the queue is empty, checking
// events per subscriber; one drain runs at a time. It takes the whole
// queue at once and writes what passed the checks in one call, then waits
// the hub's coalescing interval (or a kick) before taking the queue again:
// under a stream of events a subscriber gets one writev per interval
// holding every frame that arrived meanwhile, instead of one system call
// and one wake-up per event. An event that finds the writer idle (a whole
// interval passed without one) is written at once, so a sparse stream
// gets no added latency.
func (s *session) drain() {
	var frames net.Buffers
	var spare []outItem // the queue's other half while this writer runs
	wait := time.NewTimer(s.h.o.Coalesce)
	defer wait.Stop()
	idle := 0
	for {
		s.qmu.Lock()
		batch := s.queue
		if len(batch) == 0 {
			// A writer that found nothing lingerRounds times in a row
			// ends: an idle session keeps no goroutine and no queue.
			if idle++; idle > lingerRounds {
				s.queue = nil
				s.writing = false
				s.idle = false
				s.qmu.Unlock()
				return
			}
			s.idle = true
			s.qmu.Unlock()
			if !s.pause(wait) {
				return
			}
			continue
		}
		idle = 0
		s.idle = false
		s.queue = spare[:0]
		s.qmu.Unlock()
		frames = frames[:0]
		for _, it := range batch {
			switch {
			case it.event == nil:
				frames = append(frames, textFrame(it.frame))
			case s.wants(it.event, it.sub):
				frames = append(frames, it.event.wire())
			}
		}
		clear(batch)
		spare = batch
		if !s.write(frames) || !s.pause(wait) {
			return
		}
	}
}

// pause waits the coalescing interval, or less when kicked; false when
// the session has ended.
func (s *session) pause(wait *time.Timer) bool {
	wait.Reset(s.h.o.Coalesce)
	select {
	case <-wait.C:
		return true
	case <-s.kick:
		return true
	case <-s.done:
		return false
	}
}

// write sends frames; false when the connection is gone.
func (s *session) write(frames net.Buffers) bool {
	select {
	case <-s.done:
		return false
	default:
	}
	if len(frames) == 0 {
		return true
	}
	if err := s.writeFrames(frames); err != nil {
		s.stop()
		_ = s.conn.Close()
		return false
	}
	return true
}

// wants reports whether this subscriber gets e: it may read the row and
// its filters accept the event.
func (s *session) wants(e *Event, sub *subscription) bool {
	if e.Row != nil && !s.perms.canReadEvent(e) {
		return false
	}
	return matchFilters(sub.filters, e)
}
