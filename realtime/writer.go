package realtime

import (
	"encoding/json"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// enqueue queues an item; a full queue drops the client (a slow consumer
// must not slow the publisher or the other subscribers).
func (s *session) enqueue(it outItem) {
	select {
	case <-s.done:
		return
	default:
	}
	n := len(it.events)
	if it.events == nil {
		n = 1
	}
	s.qmu.Lock()
	if s.queued+n > OutboundBuffer {
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
	s.queued += n
	start := !s.writing
	s.writing = true
	// A reply, a queue filling up, or anything that finds the writer idle
	// does not wait for the coalescing interval to end.
	kick := !start && (it.events == nil || (s.queued >= kickAt && s.queued-n < kickAt) || s.idle)
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
				s.queued = 0
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
		s.queued = 0
		s.qmu.Unlock()
		frames = frames[:0]
		for _, it := range batch {
			if it.events == nil {
				frames = append(frames, textFrame(it.frame))
				continue
			}
			for _, e := range it.events {
				if s.wants(e, it.sub) {
					frames = append(frames, e.wire())
				}
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
