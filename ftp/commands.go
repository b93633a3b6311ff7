package ftp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	ftpserver "goftp.io/server/v2"
)

// command is a goftp command run by a function. Commands are used as
// pointers: goftp compares command values (for ForceTLS's AUTH check), and
// a struct holding a func cannot be compared.
type command struct {
	extend, param, auth bool
	run                 func(s *ftpserver.Session, param string)
}

func (c *command) IsExtend() bool                         { return c.extend }
func (c *command) RequireParam() bool                     { return c.param }
func (c *command) RequireAuth() bool                      { return c.auth }
func (c *command) Execute(s *ftpserver.Session, p string) { c.run(s, p) }

// commands are goftp's defaults with the data channel replaced: goftp
// keeps its data connection unexported and without timeouts, so every
// command that opens or uses one (PASV, EPSV, PORT, EPRT, REST, RETR,
// STOR, APPE, LIST, NLST, MLSD) and the TLS state they depend on (AUTH,
// PROT) are ours.
func (l *Listener) commands() map[string]ftpserver.Command {
	m := map[string]ftpserver.Command{}
	for k, v := range ftpserver.DefaultCommands() {
		m[k] = v
	}
	delete(m, "LPRT")
	auth := m["AUTH"]
	m["AUTH"] = &command{param: true, run: func(s *ftpserver.Session, p string) {
		auth.Execute(s, p)
		if strings.EqualFold(p, "TLS") && l.tls != nil {
			l.with(s, func(c *ctrlConn) { c.update(func(st *sessionState) { st.tls = true }) })
		}
	}}
	m["PROT"] = &command{param: true, run: l.prot}
	m["PASV"] = &command{auth: true, run: func(s *ftpserver.Session, p string) { l.passive(s, false) }}
	m["EPSV"] = &command{extend: true, auth: true, run: func(s *ftpserver.Session, p string) { l.passive(s, true) }}
	m["PORT"] = &command{param: true, auth: true, run: func(s *ftpserver.Session, p string) { l.active(s, p, false) }}
	m["EPRT"] = &command{param: true, auth: true, run: func(s *ftpserver.Session, p string) { l.active(s, p, true) }}
	m["REST"] = &command{param: true, auth: true, run: l.rest}
	m["RETR"] = &command{param: true, auth: true, run: l.retr}
	m["STOR"] = &command{param: true, auth: true, run: func(s *ftpserver.Session, p string) { l.stor(s, p, false) }}
	m["APPE"] = &command{param: true, auth: true, run: func(s *ftpserver.Session, p string) { l.stor(s, p, true) }}
	m["LIST"] = &command{auth: true, run: func(s *ftpserver.Session, p string) { l.list(s, p, formatLong) }}
	m["NLST"] = &command{auth: true, run: func(s *ftpserver.Session, p string) { l.list(s, p, formatNames) }}
	m["MLSD"] = &command{auth: true, run: func(s *ftpserver.Session, p string) { l.list(s, p, formatMLSD) }}
	return m
}

// with runs f with the session's control connection; a session without
// one (cannot happen: every connection comes through Accept) is refused.
func (l *Listener) with(s *ftpserver.Session, f func(*ctrlConn)) {
	c := l.conns.of(s)
	if c == nil {
		s.WriteMessage(421, "Service not available")
		return
	}
	f(c)
}

func (l *Listener) prot(s *ftpserver.Session, p string) {
	l.with(s, func(c *ctrlConn) {
		var msg string
		code := 200
		c.update(func(st *sessionState) {
			switch {
			case !st.tls:
				code, msg = 503, "PROT needs AUTH TLS first"
			case strings.EqualFold(p, "P"):
				st.protP, msg = true, "Data connections use TLS"
			case strings.EqualFold(p, "C") && !l.o.ForceTLS:
				st.protP, msg = false, "Data connections are clear"
			default:
				code, msg = 536, "Only PROT P is supported"
			}
		})
		s.WriteMessage(code, msg)
	})
}

// dataTLS reports whether a new data connection must use TLS, or an
// error when the policy needs TLS the session did not ask for.
func (l *Listener) dataTLS(c *ctrlConn) (bool, error) {
	var protP bool
	c.update(func(st *sessionState) { protP = st.protP })
	if l.o.ForceTLS && !protP {
		return false, errors.New("data connections must use TLS: send PROT P")
	}
	return protP && l.tls != nil, nil
}

func (l *Listener) passive(s *ftpserver.Session, extended bool) {
	l.with(s, func(c *ctrlConn) {
		useTLS, err := l.dataTLS(c)
		if err != nil {
			s.WriteMessage(521, err.Error())
			return
		}
		local, _ := c.LocalAddr().(*net.TCPAddr)
		peer, _ := c.RemoteAddr().(*net.TCPAddr)
		if local == nil || peer == nil {
			s.WriteMessage(425, "Cannot open a data connection")
			return
		}
		announce := local.IP
		if l.o.PublicIP != "" {
			announce = net.ParseIP(l.o.PublicIP)
		}
		if !extended && announce.To4() == nil {
			s.WriteMessage(425, "Use EPSV on an IPv6 connection")
			return
		}
		d, err := listenPassive(local.IP, l.portLo, l.portHi, peer.IP, l.o.DataTimeout)
		if err != nil {
			l.o.Log.Warn("ftp passive listen failed", "err", err)
			s.WriteMessage(425, "Cannot open a data connection")
			return
		}
		if useTLS {
			d.tls = l.tls
		}
		c.setData(d)
		port := d.Port()
		if extended {
			s.WriteMessage(229, fmt.Sprintf("Entering Extended Passive Mode (|||%d|)", port))
			return
		}
		ip := announce.To4()
		s.WriteMessage(227, fmt.Sprintf("Entering Passive Mode (%d,%d,%d,%d,%d,%d)", ip[0], ip[1], ip[2], ip[3], port>>8, port&0xff))
	})
}

// parseActive reads a PORT (h1,h2,h3,h4,p1,p2) or EPRT (|proto|ip|port|)
// argument.
func parseActive(p string, extended bool) (net.IP, int, error) {
	bad := errors.New("syntax error in the address")
	if extended {
		if len(p) < 2 {
			return nil, 0, bad
		}
		parts := strings.Split(p[1:len(p)-1], p[:1])
		if len(parts) != 3 || p[len(p)-1] != p[0] {
			return nil, 0, bad
		}
		ip := net.ParseIP(parts[1])
		port, err := strconv.Atoi(parts[2])
		if ip == nil || err != nil || port < 1 || port > 65535 || (parts[0] == "1") != (ip.To4() != nil) {
			return nil, 0, bad
		}
		return ip, port, nil
	}
	nums := strings.Split(p, ",")
	if len(nums) != 6 {
		return nil, 0, bad
	}
	var b [6]int
	for i, n := range nums {
		v, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || v < 0 || v > 255 {
			return nil, 0, bad
		}
		b[i] = v
	}
	port := b[4]<<8 | b[5]
	if port == 0 {
		return nil, 0, bad
	}
	return net.IPv4(byte(b[0]), byte(b[1]), byte(b[2]), byte(b[3])), port, nil
}

// active records an active data connection to the client. Only the
// client's own address is accepted (no FTP bounce).
func (l *Listener) active(s *ftpserver.Session, p string, extended bool) {
	l.with(s, func(c *ctrlConn) {
		ip, port, err := parseActive(p, extended)
		if err != nil {
			s.WriteMessage(501, err.Error())
			return
		}
		peer, _ := c.RemoteAddr().(*net.TCPAddr)
		if peer == nil || !peer.IP.Equal(ip) {
			s.WriteMessage(504, "Data connections go only to the client's own address")
			return
		}
		useTLS, err := l.dataTLS(c)
		if err != nil {
			s.WriteMessage(521, err.Error())
			return
		}
		d := &dataConn{timeout: l.o.DataTimeout, dialAddr: net.JoinHostPort(ip.String(), strconv.Itoa(port))}
		if useTLS {
			d.tls = l.tls
		}
		c.setData(d)
		s.WriteMessage(200, "Active data connection to port "+strconv.Itoa(port))
	})
}

func (l *Listener) rest(s *ftpserver.Session, p string) {
	l.with(s, func(c *ctrlConn) {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			s.WriteMessage(501, "REST needs a byte offset")
			return
		}
		c.update(func(st *sessionState) { st.rest = n })
		s.WriteMessage(350, "Restarting at "+p+", send STOR or RETR")
	})
}

// transfer takes the session's data connection and REST offset for a
// transfer command; ok is false when there is no data connection (and the
// client was told).
func transfer(s *ftpserver.Session, c *ctrlConn) (d *dataConn, offset int64, ok bool) {
	c.update(func(st *sessionState) { offset, st.rest = st.rest, 0 })
	d = c.takeData()
	if d == nil {
		s.WriteMessage(425, errNoData.Error())
		return nil, 0, false
	}
	return d, offset, true
}

func (l *Listener) retr(s *ftpserver.Session, p string) {
	l.with(s, func(c *ctrlConn) {
		d, offset, ok := transfer(s, c)
		if !ok {
			return
		}
		defer d.Close()
		ctx := context.Background()
		size, rc, err := l.d.getFile(ctx, s, s.BuildPath(p), offset)
		if err != nil {
			s.WriteMessage(550, "File not available: "+err.Error())
			return
		}
		defer rc.Close()
		s.WriteMessage(150, fmt.Sprintf("Data transfer starting %d bytes", size))
		sendData(ctx, s, d, rc)
	})
}

// sendData opens the data connection, sends r and ends the transfer with
// 226, or tells the client why it failed.
func sendData(ctx context.Context, s *ftpserver.Session, d *dataConn, r io.Reader) {
	x, err := d.open(ctx)
	if err != nil {
		s.WriteMessage(425, "Cannot open data connection: "+err.Error())
		return
	}
	n, err := x.send(r)
	if err != nil {
		x.abort()
		s.WriteMessage(426, "Transfer aborted: "+err.Error())
		return
	}
	x.finish()
	s.WriteMessage(226, fmt.Sprintf("Closing data connection, sent %d bytes", n))
}

// lazyData opens the data connection (and says 150) on the first read, so
// a refused upload is answered before any data connection is used.
type lazyData struct {
	s   *ftpserver.Session
	d   *dataConn
	x   *xfer
	err error
}

func (z *lazyData) get() (*xfer, error) {
	if z.x == nil && z.err == nil {
		z.s.WriteMessage(150, "Data transfer starting")
		z.x, z.err = z.d.open(context.Background())
	}
	return z.x, z.err
}

func (z *lazyData) Read(p []byte) (int, error) {
	x, err := z.get()
	if err != nil {
		return 0, err
	}
	return x.Read(p)
}

func (z *lazyData) WriteTo(w io.Writer) (int64, error) {
	x, err := z.get()
	if err != nil {
		return 0, err
	}
	return x.WriteTo(w)
}

func (l *Listener) stor(s *ftpserver.Session, p string, appendMode bool) {
	l.with(s, func(c *ctrlConn) {
		d, offset, ok := transfer(s, c)
		if !ok {
			return
		}
		defer d.Close()
		z := &lazyData{s: s, d: d}
		n, err := l.d.putFile(context.Background(), s, s.BuildPath(p), z, offset, appendMode)
		switch {
		case err != nil && z.x == nil && z.err == nil:
			s.WriteMessage(550, err.Error())
		case err != nil:
			if z.x != nil {
				z.x.abort()
			}
			s.WriteMessage(451, "Transfer failed, nothing was written: "+err.Error())
		default:
			z.x.finish()
			s.WriteMessage(226, fmt.Sprintf("OK, received %d bytes", n))
		}
	})
}

// listArg drops ls-style options ("-la") from a LIST/NLST argument.
func listArg(p string) string {
	for strings.HasPrefix(p, "-") {
		_, rest, _ := strings.Cut(p, " ")
		p = strings.TrimLeft(rest, " ")
	}
	return p
}

func (l *Listener) list(s *ftpserver.Session, p string, format func([]os.FileInfo) []byte) {
	l.with(s, func(c *ctrlConn) {
		d, _, ok := transfer(s, c)
		if !ok {
			return
		}
		defer d.Close()
		ctx := context.Background()
		dir := s.BuildPath(listArg(p))
		info, err := l.d.stat(ctx, s, dir)
		if err != nil {
			s.WriteMessage(550, err.Error())
			return
		}
		files := []os.FileInfo{info}
		if info.IsDir() {
			files = files[:0]
			err = l.d.listDir(ctx, s, dir, func(f os.FileInfo) error { files = append(files, f); return nil })
			if err != nil {
				s.WriteMessage(550, err.Error())
				return
			}
		}
		s.WriteMessage(150, "Opening data connection for the file list")
		sendData(ctx, s, d, bytes.NewReader(format(files)))
	})
}
