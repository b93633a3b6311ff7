package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
)

// Transfer tuning: a plain-TCP transfer moves chunk bytes per deadline
// (sendfile/splice inside, so the chunk costs no memory); a TLS transfer
// copies through a buffer of tlsBuf bytes (a few full TLS records).
const (
	chunk         = 8 << 20
	tlsBuf        = 256 << 10
	lingerTimeout = 2 * time.Second
)

var errNoData = errors.New("use PASV, EPSV, PORT or EPRT first")

// dataConn is one data connection of a session: passive (we listen and the
// client connects) or active (we dial the client). It is opened by the
// transfer command that uses it: a pending passive connection waits at
// most the data timeout for the client, and every read or write on it must
// make progress within that timeout.
type dataConn struct {
	timeout time.Duration
	tls     *tls.Config // non-nil: TLS on the data connection (PROT P)

	// passive
	ln       *net.TCPListener
	accepted chan struct{}
	// active
	dialAddr string

	tcp *net.TCPConn // the connection, once there
	err error        // why there is none
}

// parsePorts reads a passive port range "min-max"; "" is (0,0), any port.
func parsePorts(s string) (lo, hi int, err error) {
	if strings.TrimSpace(s) == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || lo < 1 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("ftp: passive port range %q is not min-max", s)
	}
	return lo, hi, nil
}

// listenPassive opens a passive data listener on ip (a port of lo..hi, or
// any port) and accepts one connection from peer in the background.
func listenPassive(ip net.IP, lo, hi int, peer net.IP, timeout time.Duration) (*dataConn, error) {
	var ln *net.TCPListener
	var err error
	tries := 1
	if lo > 0 {
		tries = min(hi-lo+1, 32)
	}
	for i := 0; i < tries; i++ {
		port := 0
		if lo > 0 {
			port = lo + rand.IntN(hi-lo+1)
		}
		ln, err = net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: port})
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	d := &dataConn{timeout: timeout, ln: ln, accepted: make(chan struct{})}
	_ = ln.SetDeadline(time.Now().Add(timeout))
	go d.accept(peer)
	return d, nil
}

// accept takes the first connection from the control connection's peer;
// connections from other addresses are closed (no data theft).
func (d *dataConn) accept(peer net.IP) {
	defer close(d.accepted)
	defer d.ln.Close()
	for {
		c, err := d.ln.AcceptTCP()
		if err != nil {
			d.err = fmt.Errorf("no data connection: %w", err)
			return
		}
		if ra, ok := c.RemoteAddr().(*net.TCPAddr); ok && (peer == nil || ra.IP.Equal(peer)) {
			d.tcp = c
			return
		}
		_ = c.Close()
	}
}

// Port is the passive listener's port.
func (d *dataConn) Port() int { return d.ln.Addr().(*net.TCPAddr).Port }

// open returns the connected data connection, with TLS set up (the
// handshake done now, so even an empty transfer ends cleanly).
func (d *dataConn) open(ctx context.Context) (*xfer, error) {
	if d.ln != nil {
		select {
		case <-d.accepted:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if d.tcp == nil {
			return nil, d.err
		}
	} else {
		c, err := (&net.Dialer{Timeout: d.timeout}).DialContext(ctx, "tcp", d.dialAddr)
		if err != nil {
			return nil, err
		}
		d.tcp = c.(*net.TCPConn)
	}
	x := &xfer{tcp: d.tcp, timeout: d.timeout}
	if d.tls != nil {
		tc := tls.Server(deadlineConn{Conn: d.tcp, timeout: d.timeout}, d.tls)
		hctx, cancel := context.WithTimeout(ctx, d.timeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			_ = d.tcp.Close()
			return nil, fmt.Errorf("data connection TLS: %w", err)
		}
		x.tls = tc
	}
	return x, nil
}

// Close closes the listener or the connection (if never opened).
func (d *dataConn) Close() error {
	if d.ln != nil {
		_ = d.ln.Close()
		<-d.accepted
	}
	if d.tcp != nil {
		return d.tcp.Close()
	}
	return nil
}

// deadlineConn gives every Read and Write a deadline of timeout from now.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c deadlineConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c deadlineConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}

// xfer is an open data connection.
type xfer struct {
	tcp     *net.TCPConn
	tls     *tls.Conn // nil for a plain connection
	timeout time.Duration
}

// send copies r to the client. On plain TCP it moves chunks with
// ReadFrom, which is sendfile when r is a file.
func (x *xfer) send(r io.Reader) (int64, error) {
	if x.tls != nil {
		return io.CopyBuffer(x.tls, struct{ io.Reader }{r}, make([]byte, tlsBuf))
	}
	var total int64
	for {
		_ = x.tcp.SetWriteDeadline(time.Now().Add(x.timeout))
		n, err := io.CopyN(x.tcp, r, chunk)
		total += n
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Read reads what the client sends, with the data timeout per read.
func (x *xfer) Read(p []byte) (int, error) {
	if x.tls != nil {
		return x.tls.Read(p)
	}
	_ = x.tcp.SetReadDeadline(time.Now().Add(x.timeout))
	return x.tcp.Read(p)
}

// WriteTo copies what the client sends to w: on plain TCP in chunks that
// w can take with ReadFrom (splice into a file), else through a large
// buffer.
func (x *xfer) WriteTo(w io.Writer) (int64, error) {
	if x.tls != nil {
		return io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{x.tls}, make([]byte, tlsBuf))
	}
	var total int64
	for {
		_ = x.tcp.SetReadDeadline(time.Now().Add(x.timeout))
		n, err := io.CopyN(w, x.tcp, chunk)
		total += n
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// finish ends the transfer cleanly: TLS close_notify, then FIN, then a
// short wait in the background for the client to close its side, so the
// client never sees a reset of a connection it has not read to the end.
func (x *xfer) finish() {
	if x.tls != nil {
		_ = x.tls.CloseWrite()
	}
	_ = x.tcp.CloseWrite()
	go func() {
		_ = x.tcp.SetReadDeadline(time.Now().Add(min(lingerTimeout, x.timeout)))
		_, _ = io.Copy(io.Discard, x.tcp)
		_ = x.tcp.Close()
	}()
}

// abort drops the connection at once.
func (x *xfer) abort() { _ = x.tcp.Close() }
