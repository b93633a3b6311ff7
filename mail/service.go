package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-smtp"
	"golang.org/x/net/netutil"

	"github.com/apiary/apiary/mail/imapd"
	"github.com/apiary/apiary/mail/outbox"
	"github.com/apiary/apiary/mail/smtpd"
	"github.com/apiary/apiary/mail/spam"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// Config keys of the IMAP listener (contract sidecars.md §4.4).
const (
	KeyIMAPEnabled = "imap.enabled"
	KeyIMAPListen  = "imap.listen_interface"
	KeyIMAPHost    = "imap.hostname"
	// Connection limits (Apiary's own; durations like "90s" or seconds).
	KeyIMAPReadTimeout  = "imap.read_timeout"
	KeyIMAPIdleTimeout  = "imap.idle_timeout"
	KeyIMAPMaxConns     = "imap.max_connections"
	KeySMTPReadTimeout  = "smtp.read_timeout"
	KeySMTPWriteTimeout = "smtp.write_timeout"
)

// DefaultSMTPTimeout bounds the wait for each command line (and for the
// whole DATA) and for each response write of an SMTP connection.
const DefaultSMTPTimeout = 60 * time.Second

// Options are the dependencies of a Service.
type Options struct {
	Res func() resource.Service
	// Config reads a backend _config value ("" when unset).
	Config func(ctx context.Context, key string) string
	Log    *slog.Logger
	// Disabled turns the SMTP listeners off (APIARY_DISABLE_SMTP).
	Disabled bool
	// Smarthost and DeliveryPort configure the outbox (outbox.Options).
	Smarthost    string
	DeliveryPort int
	// DNS answers the SPF, DKIM and MX lookups; nil = the system resolver.
	DNS spam.Resolver
	// Decrypt reads `encrypted` columns (certificate private keys).
	Decrypt func(string) (string, error)
}

// Service runs the SMTP and IMAP listeners.
type Service struct {
	o     Options
	store *store.Store
	hosts smtpd.Hosts
	hub   *imapd.Hub
	out   *outbox.Outbox
	stop  context.CancelFunc

	mu     sync.Mutex
	closed bool
	smtp   map[string]*smtpListener // by mail_server reference id
	imap   *imapListener
	unsub  func()
	base   context.Context // Start's context, without its cancellation
}

// New builds a Service; nothing listens until Start.
func New(o Options) *Service {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.DNS == nil {
		o.DNS = net.DefaultResolver
	}
	st := store.New(o.Res, o.Log, o.Decrypt)
	out := outbox.New(outbox.Options{Store: st, Log: o.Log.With("component", "outbox"), Config: o.Config,
		Smarthost: o.Smarthost, Port: o.DeliveryPort, Resolver: o.DNS})
	return &Service{o: o, store: st, hub: imapd.NewHub(), out: out, smtp: map[string]*smtpListener{}}
}

// Outbox is the outgoing queue (mail.send, process_outbox).
func (s *Service) Outbox() *outbox.Outbox { return s.out }

// Store is the mail store the listeners use.
func (s *Service) Store() *store.Store { return s.store }

// Start subscribes to changes and starts the listeners the data asks for.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	s.base = context.WithoutCancel(ctx)
	s.mu.Unlock()
	s.unsub = s.o.Res().Subscribe(func(c resource.Change) { s.observe(ctx, c) })
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	go s.out.Run(runCtx)
	return s.Sync(ctx)
}

// ObserveRemote applies a change another node of a cluster committed to
// the mail tables (mail, mail_box, mail_server): the listing cache, the
// IDLE sessions and the listeners follow it as they follow this node's
// own changes. The server feeds it from the cluster's event channel.
func (s *Service) ObserveRemote(c resource.Change) {
	s.mu.Lock()
	base := s.base
	s.mu.Unlock()
	if base == nil {
		base = context.Background()
	}
	s.observe(base, c)
}

// IsMailTable says whether changes of table concern the mail service.
func IsMailTable(table string) bool {
	return table == store.TableMail || table == store.TableBox || table == store.TableServer || table == store.TableAccount
}

func (s *Service) observe(ctx context.Context, c resource.Change) {
	s.store.Observe(c)
	s.hub.Observe(c)
	if c.Table == store.TableServer {
		// A mail_server row changed: rebuild the listeners, as
		// sync_mail_servers does (outside the publisher's goroutine).
		go func() {
			if err := s.Sync(context.WithoutCancel(ctx)); err != nil {
				s.o.Log.Warn("mail listeners not synced", "err", err)
			}
		}()
	}
}

// Sync rebuilds the SMTP listeners from the mail_server rows and starts or
// stops IMAP as the configuration says; unchanged listeners keep running.
func (s *Service) Sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return errors.Join(s.syncSMTP(ctx), s.syncIMAP(ctx))
}

// Shutdown stops every listener.
func (s *Service) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.unsub != nil {
		s.unsub()
		s.unsub = nil
	}
	if s.stop != nil {
		s.stop()
	}
	var errs []error
	for ref, l := range s.smtp {
		errs = append(errs, l.srv.Shutdown(ctx))
		delete(s.smtp, ref)
	}
	if s.imap != nil {
		errs = append(errs, s.imap.srv.Close())
		s.imap = nil
	}
	return errors.Join(errs...)
}

// SMTPAddr is the bound address of the listener of a mail_server hostname.
func (s *Service) SMTPAddr(hostname string) net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.smtp {
		if strings.EqualFold(l.cfg.Hostname, hostname) {
			return l.ln.Addr()
		}
	}
	return nil
}

// IMAPAddr is the bound address of the IMAP listener, or nil.
func (s *Service) IMAPAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.imap == nil {
		return nil
	}
	return s.imap.ln.Addr()
}

type smtpListener struct {
	cfg smtpConfig
	srv *smtp.Server
	ln  net.Listener
}

// smtpConfig is what a listener is built from; a change rebuilds it.
type smtpConfig struct {
	store.Server
	read, write time.Duration
}

func (s *Service) syncSMTP(ctx context.Context) error {
	servers, err := s.store.Servers(ctx)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(servers))
	want := map[string]store.Server{}
	for _, sv := range servers {
		names = append(names, sv.Hostname)
		if sv.Enabled && !s.o.Disabled && sv.Hostname != "" {
			want[sv.RefID] = sv
		}
	}
	s.hosts.Set(names)
	read := s.duration(ctx, KeySMTPReadTimeout, DefaultSMTPTimeout)
	write := s.duration(ctx, KeySMTPWriteTimeout, DefaultSMTPTimeout)
	for ref, l := range s.smtp {
		if sv, ok := want[ref]; !ok || (smtpConfig{sv, read, write}) != l.cfg {
			_ = l.srv.Close()
			delete(s.smtp, ref)
		}
	}
	var errs []error
	for ref, sv := range want {
		if _, ok := s.smtp[ref]; ok {
			continue
		}
		l, err := s.startSMTP(ctx, smtpConfig{sv, read, write})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.smtp[ref] = l
		s.o.Log.Info("smtp listener started", "hostname", sv.Hostname, "addr", l.ln.Addr().String(), "implicit_tls", sv.AlwaysOnTLS)
	}
	return errors.Join(errs...)
}

func (s *Service) startSMTP(ctx context.Context, cfg smtpConfig) (*smtpListener, error) {
	sv := cfg.Server
	cert, err := s.store.Certificate(ctx, sv.Hostname)
	if err != nil {
		return nil, fmt.Errorf("smtp %s: certificate: %w", sv.Hostname, err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	be := &smtpd.Backend{Store: s.store, Hosts: &s.hosts, Out: s.out, Scorer: &spam.Scorer{DNS: s.o.DNS},
		Log: s.o.Log.With("component", "smtp"), ServerRef: sv.RefID, AuthRequired: sv.AuthRequired}
	srv := smtp.NewServer(be)
	srv.Domain = sv.Hostname
	srv.MaxMessageBytes = max(sv.MaxSize, 1024)
	srv.MaxRecipients = 100
	srv.ReadTimeout, srv.WriteTimeout = cfg.read, cfg.write
	srv.TLSConfig = tc
	srv.ErrorLog = slogLogger{s.o.Log}
	addr := sv.Listen
	if addr == "" {
		addr = "0.0.0.0:465"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtp %s cannot bind %s: %w", sv.Hostname, addr, err)
	}
	if sv.MaxClients > 0 {
		ln = netutil.LimitListener(ln, sv.MaxClients)
	}
	served := ln
	if sv.AlwaysOnTLS {
		served = tls.NewListener(ln, tc)
	}
	go func() { _ = srv.Serve(served) }()
	return &smtpListener{cfg: cfg, srv: srv, ln: ln}, nil
}

type imapListener struct {
	addr string
	srv  *imapserver.Server
	be   *imapd.Backend
	ln   net.Listener
}

func (s *Service) syncIMAP(ctx context.Context) error {
	on := strings.EqualFold(s.o.Config(ctx, KeyIMAPEnabled), "true")
	addr := s.o.Config(ctx, KeyIMAPListen)
	if addr == "" {
		addr = ":1143"
	}
	if s.imap != nil && (!on || s.imap.addr != addr) {
		_ = s.imap.srv.Close()
		s.imap = nil
	}
	limits := imapd.Limits{ReadTimeout: s.duration(ctx, KeyIMAPReadTimeout, imapd.DefaultReadTimeout),
		IdleTimeout: s.duration(ctx, KeyIMAPIdleTimeout, imapd.DefaultIdleTimeout),
		MaxConns:    int(s.number(ctx, KeyIMAPMaxConns, imapd.DefaultMaxConns))}
	if s.imap != nil {
		s.imap.be.SetLimits(limits) // live: no restart
	}
	if !on || s.imap != nil {
		return nil
	}
	host := s.o.Config(ctx, KeyIMAPHost)
	if host == "" {
		host = "imap." + firstNonEmpty(s.o.Config(ctx, resource.KeyHostname), "localhost")
	}
	cert, err := s.store.Certificate(ctx, host)
	if err != nil {
		return fmt.Errorf("imap: certificate: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	be := &imapd.Backend{Store: s.store, Hub: s.hub, Log: s.o.Log.With("component", "imap")}
	be.SetLimits(limits)
	srv := imapserver.New(&imapserver.Options{NewSession: be.NewSession, TLSConfig: tc, Logger: slogLogger{s.o.Log},
		Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}, imap.CapUIDPlus: {}, imap.CapMove: {}, imap.CapIdle: {},
			imap.CapNamespace: {}, imap.CapSpecialUse: {}, imap.CapLiteralPlus: {}, imap.CapUnselect: {}, imap.CapESearch: {}}})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("imap cannot bind %s: %w", addr, err)
	}
	served := be.Listen(ln) // the limits sit under TLS, so they cover handshakes
	if strings.HasSuffix(addr, ":993") {
		served = tls.NewListener(served, tc)
	}
	go func() { _ = srv.Serve(served) }()
	s.imap = &imapListener{addr: addr, srv: srv, be: be, ln: ln}
	s.o.Log.Info("imap listener started", "addr", ln.Addr().String(), "hostname", host)
	return nil
}

// slogLogger adapts slog to the Printf/Println loggers of go-smtp and
// go-imap.
type slogLogger struct{ l *slog.Logger }

// Printf implements the libraries' logger interfaces.
func (g slogLogger) Printf(format string, v ...any) {
	g.l.Warn("mail protocol error", "detail", fmt.Sprintf(format, v...))
}

// Println implements the libraries' logger interfaces.
func (g slogLogger) Println(v ...any) { g.l.Warn("mail protocol error", "detail", fmt.Sprint(v...)) }

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// Log is the service's logger.
func (s *Service) Log() *slog.Logger { return s.o.Log }
