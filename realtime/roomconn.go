package realtime

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/realtime/yjs"
)

// roomConn is one YJS session.
type roomConn struct {
	rm       *room
	conn     *websocket.Conn
	readOnly bool
	out      chan []byte
	done     chan struct{}
	once     sync.Once
	dropped  atomic.Bool // the send buffer overflowed
	wmu      sync.Mutex  // held while frames or control frames are written
}

func newRoomConn(rm *room, conn *websocket.Conn, readOnly bool) *roomConn {
	return &roomConn{rm: rm, conn: conn, readOnly: readOnly, out: make(chan []byte, roomSendBuf), done: make(chan struct{})}
}

// send queues a frame; a session that cannot keep up is closed.
func (c *roomConn) send(frame []byte) {
	select {
	case c.out <- frame:
	case <-c.done:
	default:
		if c.dropped.CompareAndSwap(false, true) {
			go c.close(websocket.ClosePolicyViolation, "send buffer full")
		}
	}
}

func (c *roomConn) close(code int, reason string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeWait))
	c.once.Do(func() { close(c.done) })
	_ = c.conn.Close()
}

// run reads messages until the client leaves or sends bad bytes.
func (c *roomConn) run() {
	c.conn.SetReadLimit(MaxMessage)
	_ = c.conn.SetReadDeadline(time.Now().Add(roomReadIdle))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(roomReadIdle)) })
	go c.writeLoop()
	defer c.once.Do(func() { close(c.done) })
	defer c.conn.Close()
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(roomReadIdle))
		if kind != websocket.BinaryMessage {
			continue
		}
		if err := c.handle(data); err != nil {
			c.rm.logger().Info("yjs session sent bad bytes, closed", "room", c.rm.name, "err", err)
			c.close(websocket.CloseUnsupportedData, "malformed yjs message")
			return
		}
	}
}

func (c *roomConn) handle(frame []byte) error {
	msgs, err := yjs.ReadMessages(frame)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		switch {
		case m.Type == yjs.MsgSync && m.Sub == yjs.SyncStep1:
			err = c.rm.syncStep1(c, m.Payload)
		case m.Type == yjs.MsgSync && c.readOnly:
			// a read-only session's edits are dropped
		case m.Type == yjs.MsgSync:
			err = c.rm.update(c, m.Payload)
		case m.Type == yjs.MsgAwareness:
			err = c.rm.awareness(c, m.Payload)
		case m.Type == yjs.MsgQueryAwareness:
			c.rm.queryAwareness(c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *roomConn) writeLoop() {
	ping := time.NewTicker(roomPing)
	defer ping.Stop()
	var bufs net.Buffers
	for {
		select {
		case <-c.done:
			return
		case f := <-c.out:
			// Whatever else is queued goes out in the same write.
			bufs = appendFrame(bufs[:0], opBinary, f)
			for more := true; more; {
				select {
				case g := <-c.out:
					bufs = appendFrame(bufs, opBinary, g)
				default:
					more = false
				}
			}
			if err := writeBatch(&c.wmu, c.conn.NetConn(), bufs); err != nil {
				c.once.Do(func() { close(c.done) })
				_ = c.conn.Close()
				return
			}
		case <-ping.C:
			c.wmu.Lock()
			err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
			c.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}
