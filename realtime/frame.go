package realtime

import (
	"encoding/binary"
	"net"
	"time"
)

// textFrame encodes payload as one unmasked, final WebSocket text frame
// (RFC 6455 §5.2), as a server sends it; the /live upgrader negotiates no
// extension, so the frame is the header and the payload.
func textFrame(payload []byte) []byte {
	n := len(payload)
	var b []byte
	switch {
	case n < 126:
		b = append(make([]byte, 0, 2+n), 0x81, byte(n))
	case n <= 0xffff:
		b = append(make([]byte, 0, 4+n), 0x81, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(make([]byte, 0, 10+n), 0x81, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// writeFrames writes ready frames to the connection in one call (one
// writev on TCP): a subscriber that has fallen behind catches up with one
// system call for all it has queued instead of one a frame. The session's
// write lock keeps close frames from landing inside a batch.
func (s *session) writeFrames(frames net.Buffers) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	nc := s.conn.NetConn()
	if err := nc.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	_, err := frames.WriteTo(nc)
	return err
}
