package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	ftpserver "goftp.io/server/v2"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// DefaultMaxClients is how many FTP connections are served at once.
const DefaultMaxClients = 100

// StoreOpener opens the store of a cloud_store row by its id.
type StoreOpener interface {
	ByRef(ctx context.Context, refID string) (*blob.Store, resource.Row, error)
}

// Options configure the FTP listener.
type Options struct {
	Res    func() resource.Service
	Stores StoreOpener
	Addr   string // host:port, e.g. 0.0.0.0:2121; port 0 picks one
	// PassivePorts is a range "min-max" for passive data connections; ""
	// lets the OS choose.
	PassivePorts string
	// PublicIP is announced in PASV answers; "" uses the address the
	// client connected to (no outside lookup is ever made).
	PublicIP string
	// TLS enables explicit FTPS (AUTH TLS); nil offers plain FTP only.
	TLS *tls.Config
	// ForceTLS refuses every command but AUTH TLS before the upgrade.
	ForceTLS   bool
	MaxClients int
	Log        *slog.Logger
}

// Listener is the FTP server as a server.Listener.
type Listener struct {
	o   Options
	srv *ftpserver.Server
	ln  net.Listener
}

// New builds the listener; nothing is bound until Start.
func New(o Options) *Listener {
	if o.MaxClients <= 0 {
		o.MaxClients = DefaultMaxClients
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Listener{o: o}
}

// Name is "ftp".
func (l *Listener) Name() string { return "ftp" }

// Start binds the address and serves in the background.
func (l *Listener) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", l.o.Addr)
	if err != nil {
		return fmt.Errorf("ftp listener cannot bind %s: %w", l.o.Addr, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	portN, _ := strconv.Atoi(port)
	d := &driver{o: l.o}
	opts := &ftpserver.Options{
		Name: "Apiary FTP", Driver: d, Auth: d, Perm: ftpserver.NewSimplePerm("apiary", "apiary"),
		Hostname: host, Port: portN, PublicIP: l.o.PublicIP, PassivePorts: l.o.PassivePorts,
		WelcomeMessage: "Apiary FTP: sign in with your e-mail and password", Logger: logger{l.o.Log},
	}
	if l.o.TLS != nil {
		opts.TLS, opts.ExplicitFTPS, opts.TLSConfig = true, true, l.o.TLS
	}
	srv, err := ftpserver.NewServer(opts)
	if err != nil {
		_ = ln.Close()
		return err
	}
	// goftp ignores ForceTLS given to NewServer (DEPENDENCIES.md): set it
	// on the built server.
	srv.Options.ForceTLS = l.o.ForceTLS && l.o.TLS != nil
	if l.o.TLS != nil {
		// goftp v2.0.3 only installs its TLS configuration in
		// ListenAndServe, which binds its own socket. Our socket holds the
		// address, so that bind fails at once and leaves the TLS
		// configuration in place; Serve then takes our listener.
		if err := srv.ListenAndServe(); err == nil || !isAddrInUse(err) {
			_ = ln.Close()
			return fmt.Errorf("ftp: TLS set-up: %v", err)
		}
	}
	l.srv, l.ln = srv, &limitListener{Listener: ln, sem: make(chan struct{}, l.o.MaxClients)}
	go func() {
		if err := srv.Serve(l.ln); err != nil && !errors.Is(err, ftpserver.ErrServerClosed) {
			l.o.Log.Error("listener stopped", "name", "ftp", "err", err)
		}
	}()
	return nil
}

func isAddrInUse(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "listen"
}

// Addr is the bound address.
func (l *Listener) Addr() net.Addr {
	if l.ln == nil {
		return nil
	}
	return l.ln.Addr()
}

// Shutdown stops accepting connections.
func (l *Listener) Shutdown(context.Context) error {
	if l.srv == nil {
		return nil
	}
	return l.srv.Shutdown()
}

// limitListener accepts at most cap(sem) connections at once; others are
// told so and closed.
type limitListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.sem <- struct{}{}:
			return &releaseConn{Conn: c, release: func() { <-l.sem }}, nil
		default:
			_, _ = c.Write([]byte("421 Cannot accept any additional client\r\n"))
			_ = c.Close()
		}
	}
}

type releaseConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *releaseConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// logger sends goftp's log lines to slog at debug level.
type logger struct{ l *slog.Logger }

func (g logger) Print(sessionID string, message any) {
	g.l.Debug("ftp", "session", sessionID, "message", fmt.Sprint(message))
}
func (g logger) Printf(sessionID string, format string, v ...any) {
	g.l.Debug("ftp", "session", sessionID, "message", fmt.Sprintf(format, v...))
}
func (g logger) PrintCommand(sessionID string, command string, params string) {
	if command == "PASS" {
		params = "***"
	}
	g.l.Debug("ftp command", "session", sessionID, "command", command, "params", params)
}
func (g logger) PrintResponse(sessionID string, code int, message string) {
	g.l.Debug("ftp response", "session", sessionID, "code", code, "message", message)
}
