package realtime

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// Opcodes of the data frames the server writes itself (RFC 6455 §5.2).
const (
	opText   = 0x1
	opBinary = 0x2
)

// frameHeader is the header of one unmasked, final WebSocket frame of n
// payload bytes, as a server sends it; the upgraders negotiate no
// extension, so a frame is this header and the payload.
func frameHeader(op byte, n int) []byte {
	b := make([]byte, 0, 10)
	switch {
	case n < 126:
		return append(b, 0x80|op, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0x80|op, 126), uint16(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x80|op, 127), uint64(n))
}

// textFrame encodes payload as one whole text frame.
func textFrame(payload []byte) []byte {
	return append(frameHeader(opText, len(payload)), payload...)
}

// appendFrame adds a frame to bufs as its header and the payload itself,
// so a payload shared by many sessions is not copied.
func appendFrame(bufs net.Buffers, op byte, payload []byte) net.Buffers {
	return append(bufs, frameHeader(op, len(payload)), payload)
}

// writeBatch writes bufs to nc in one call (one writev on TCP) under mu,
// the lock that also guards the connection's close frames.
func writeBatch(mu *sync.Mutex, nc net.Conn, bufs net.Buffers) error {
	mu.Lock()
	defer mu.Unlock()
	if err := nc.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	_, err := bufs.WriteTo(nc)
	return err
}

// writeFrames writes ready frames to the connection in one call (one
// writev on TCP): a subscriber that has fallen behind catches up with one
// system call for all it has queued instead of one a frame. The session's
// write lock keeps close frames from landing inside a batch.
func (s *session) writeFrames(frames net.Buffers) error {
	return writeBatch(&s.wmu, s.conn.NetConn(), frames)
}
