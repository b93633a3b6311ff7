package imapd

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Default connection limits of the IMAP listener.
const (
	// DefaultReadTimeout bounds the silence of a client that has not
	// logged in, and of one sending an APPEND literal.
	DefaultReadTimeout = 60 * time.Second
	// DefaultIdleTimeout bounds the silence of a logged-in client between
	// commands and in IDLE: RFC 9051 §5.4 asks for at least 30 minutes,
	// and IDLE clients re-issue the command every 29.
	DefaultIdleTimeout = 31 * time.Minute
	// DefaultMaxConns bounds the connections one listener serves at once.
	DefaultMaxConns = 1000
)

// Limits are the connection limits of an IMAP listener; zero fields
// take the defaults.
type Limits struct {
	ReadTimeout time.Duration
	IdleTimeout time.Duration
	MaxConns    int
}

func (l Limits) withDefaults() Limits {
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = DefaultReadTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = DefaultIdleTimeout
	}
	if l.MaxConns <= 0 {
		l.MaxConns = DefaultMaxConns
	}
	return l
}

// limiter holds a listener's limits (changed live by SetLimits) and its
// connections by remote address, so a session finds its connection.
type limiter struct {
	limits atomic.Pointer[Limits]
	active atomic.Int64

	mu    sync.Mutex
	conns map[string]*limitConn
}

func (l *limiter) get() Limits {
	if p := l.limits.Load(); p != nil {
		return *p
	}
	return Limits{}.withDefaults()
}

// SetLimits changes the limits; connections accepted afterwards, and
// the deadlines armed afterwards, use them.
func (b *Backend) SetLimits(l Limits) {
	l = l.withDefaults()
	b.lim.limits.Store(&l)
}

// Limits are the limits in force.
func (b *Backend) Limits() Limits { return b.lim.get() }

// Listen wraps ln so that every connection it accepts has the read
// deadlines of the backend's limits: ReadTimeout of silence before login
// and within an APPEND literal, IdleTimeout once logged in. The deadlines
// the protocol library sets itself still apply when they are earlier.
func (b *Backend) Listen(ln net.Listener) net.Listener {
	return &limitListener{Listener: ln, lim: &b.lim}
}

type limitListener struct {
	net.Listener
	lim *limiter
}

func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	lc := &limitConn{Conn: c, lim: l.lim, key: c.RemoteAddr().String()}
	l.lim.mu.Lock()
	if l.lim.conns == nil {
		l.lim.conns = map[string]*limitConn{}
	}
	l.lim.conns[lc.key] = lc
	l.lim.mu.Unlock()
	_ = lc.arm()
	return lc, nil
}

// conn finds the connection of a remote address (nil when not accepted
// through Listen).
func (l *limiter) conn(addr net.Addr) *limitConn {
	if addr == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns[addr.String()]
}

// limitConn re-arms its read deadline before every read: the inactivity
// limit of its state, or the deadline the protocol library asked for if
// that is earlier.
type limitConn struct {
	net.Conn
	lim *limiter
	key string

	mu     sync.Mutex
	asked  time.Time // the library's read deadline (zero = none)
	authed bool      // logged in: IdleTimeout applies
	inLit  bool      // reading an APPEND literal: ReadTimeout applies
	closed bool
	dead   error // the read timeout that ended the connection
}

func (c *limitConn) arm() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	lim := c.lim.get()
	d := lim.ReadTimeout
	if c.authed && !c.inLit {
		d = lim.IdleTimeout
	}
	at := time.Now().Add(d)
	if !c.asked.IsZero() && c.asked.Before(at) {
		at = c.asked
	}
	return c.Conn.SetReadDeadline(at)
}

// Read implements net.Conn. A read that times out ends the connection:
// later reads fail at once (the library would otherwise go on reading the
// rest of a stalled literal under a longer deadline).
func (c *limitConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	if dead != nil {
		return 0, dead
	}
	if err := c.arm(); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.mu.Lock()
		c.dead = err
		c.mu.Unlock()
	}
	return n, err
}

// SetReadDeadline implements net.Conn: the deadline is kept as an upper
// bound of the armed one.
func (c *limitConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.asked = t
	c.mu.Unlock()
	return c.arm()
}

// SetDeadline implements net.Conn.
func (c *limitConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// Close implements net.Conn.
func (c *limitConn) Close() error {
	c.mu.Lock()
	first := !c.closed
	c.closed = true
	c.mu.Unlock()
	if first {
		c.lim.mu.Lock()
		if c.lim.conns[c.key] == c {
			delete(c.lim.conns, c.key)
		}
		c.lim.mu.Unlock()
	}
	return c.Conn.Close()
}

func (c *limitConn) set(authed, inLit bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.authed, c.inLit = authed, inLit
	c.mu.Unlock()
	_ = c.arm()
}

// errTooMany is the greeting of a connection over MaxConns.
var errTooMany = &imap.Error{Type: imap.StatusResponseTypeBye, Code: imap.ResponseCodeUnavailable,
	Text: "Too many connections, try again later"}

// admit counts a new session, refusing it over MaxConns.
func (l *limiter) admit() bool {
	if l.active.Add(1) > int64(l.get().MaxConns) {
		l.active.Add(-1)
		return false
	}
	return true
}

func (l *limiter) release() { l.active.Add(-1) }
