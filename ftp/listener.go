package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	ftpserver "goftp.io/server/v2"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// Defaults of the Options.
const (
	// DefaultMaxClients is how many FTP connections are served at once.
	DefaultMaxClients = 100
	// DefaultIdleTimeout closes a control connection silent this long.
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultDataTimeout bounds the wait for a data connection and every
	// read or write on it.
	DefaultDataTimeout = time.Minute
)

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
	// IdleTimeout closes a control connection on which the client sends
	// nothing (or reads no reply) for this long; 0 is DefaultIdleTimeout.
	IdleTimeout time.Duration
	// DataTimeout is how long a passive data connection waits for the
	// client, an active one for its dial, and every read or write on a
	// data connection for progress; 0 is DefaultDataTimeout.
	DataTimeout time.Duration
	Log         *slog.Logger
}

// Listener is the FTP server as a server.Listener.
type Listener struct {
	o              Options
	d              *driver
	tls            *tls.Config
	portLo, portHi int
	conns          *conns
	srv            *ftpserver.Server
	ln             net.Listener
}

// New builds the listener; nothing is bound until Start.
func New(o Options) *Listener {
	if o.MaxClients <= 0 {
		o.MaxClients = DefaultMaxClients
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.DataTimeout <= 0 {
		o.DataTimeout = DefaultDataTimeout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Listener{o: o, d: &driver{o: o}, tls: o.TLS, conns: &conns{m: map[string]*ctrlConn{}}}
}

// Name is "ftp".
func (l *Listener) Name() string { return "ftp" }

// Start binds the address and serves in the background.
func (l *Listener) Start(ctx context.Context) error {
	lo, hi, err := parsePorts(l.o.PassivePorts)
	if err != nil {
		return err
	}
	l.portLo, l.portHi = lo, hi
	ln, err := net.Listen("tcp", l.o.Addr)
	if err != nil {
		return fmt.Errorf("ftp listener cannot bind %s: %w", l.o.Addr, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	portN, _ := strconv.Atoi(port)
	d := l.d
	opts := &ftpserver.Options{
		Name: "Apiary FTP", Driver: d, Auth: d, Perm: ftpserver.NewSimplePerm("apiary", "apiary"), Commands: l.commands(),
		Hostname: host, Port: portN, PublicIP: l.o.PublicIP,
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
	l.srv, l.ln = srv, &limitListener{Listener: ln, sem: make(chan struct{}, l.o.MaxClients), idle: l.o.IdleTimeout, conns: l.conns}
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
