package ftp

import (
	"net"
	"sync"
	"time"

	ftpserver "goftp.io/server/v2"
)

// ctrlConn is a control connection. Every Read and Write gets a fresh
// deadline of the idle timeout, so a client that connects and then sends
// nothing (or stops reading replies) is disconnected instead of holding one
// of the MaxClients slots forever. It also carries the session's data
// channel state, since goftp keeps its own unexported.
type ctrlConn struct {
	net.Conn
	idle    time.Duration
	once    sync.Once
	release func()

	mu    sync.Mutex
	state sessionState
}

// sessionState is what the data channel commands of one session share.
type sessionState struct {
	tls   bool      // AUTH TLS done on the control connection
	protP bool      // PROT P: data connections use TLS
	rest  int64     // REST offset for the next transfer, 0 if none
	data  *dataConn // pending data connection (PASV/EPSV/PORT/EPRT)
}

func (c *ctrlConn) Read(p []byte) (int, error) {
	if c.idle > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	}
	return c.Conn.Read(p)
}

func (c *ctrlConn) Write(p []byte) (int, error) {
	if c.idle > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	}
	return c.Conn.Write(p)
}

// Close closes the connection and any data connection it still has, and
// frees its client slot.
func (c *ctrlConn) Close() error {
	c.once.Do(func() {
		if d := c.takeData(); d != nil {
			_ = d.Close()
		}
		c.release()
	})
	return c.Conn.Close()
}

// takeData removes and returns the pending data connection.
func (c *ctrlConn) takeData() *dataConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.state.data
	c.state.data = nil
	return d
}

// setData installs a new pending data connection, closing the old one.
func (c *ctrlConn) setData(d *dataConn) {
	c.mu.Lock()
	old := c.state.data
	c.state.data = d
	c.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
}

// update runs f on the session state under the lock.
func (c *ctrlConn) update(f func(*sessionState)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.state)
}

// conns finds the control connection of a goftp session by its remote
// address (unique while the connection is open).
type conns struct {
	mu sync.Mutex
	m  map[string]*ctrlConn
}

func (cs *conns) add(c *ctrlConn) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.m[c.RemoteAddr().String()] = c
}

func (cs *conns) remove(c *ctrlConn) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.m[c.RemoteAddr().String()] == c {
		delete(cs.m, c.RemoteAddr().String())
	}
}

func (cs *conns) of(s *ftpserver.Session) *ctrlConn {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.m[s.RemoteAddr().String()]
}

// limitListener accepts at most cap(sem) connections at once; others are
// told so and closed.
type limitListener struct {
	net.Listener
	sem   chan struct{}
	idle  time.Duration
	conns *conns
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.sem <- struct{}{}:
			cc := &ctrlConn{Conn: c, idle: l.idle}
			cc.release = func() { l.conns.remove(cc); <-l.sem }
			l.conns.add(cc)
			return cc, nil
		default:
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte("421 Cannot accept any additional client\r\n"))
			_ = c.Close()
		}
	}
}
