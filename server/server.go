package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/mail"
	"github.com/apiary/apiary/migrations"
	"github.com/apiary/apiary/realtime"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/bootstrap"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/discovery"
	"github.com/apiary/apiary/server/httpmw"
	"github.com/apiary/apiary/storage/cluster"
	"github.com/apiary/apiary/storage/db"
)

// Sign-in abuse limits: failed attempts per account and per client address
// within the window (the address limit is five times the account limit).
const (
	signinFailuresPerKey = 10
	signinWindow         = 15 * time.Minute
)

// Server is one running Apiary: the database, the live schema, the
// resource layer and every listener, built once by New.
type Server struct {
	cfg          Config
	log          *slog.Logger
	db           *db.DB
	schema       *schema.Holder
	res          resource.Service
	conf         *resource.ConfigStore
	issuer       *auth.Issuer
	listeners    []Listener
	handler      http.Handler
	mux          chi.Router
	live         *httpmw.Live
	slots        *httpmw.Slots // request slots (limit.max_connections)
	reloadMu     sync.Mutex
	exec         *actions.Executor
	gqlOn        atomic.Bool          // graphql.enable, applied live
	davOn        atomic.Bool          // caldav.enable, applied live
	attempts     *auth.AttemptLimiter // failed sign-ins per account
	addrAttempts *auth.AttemptLimiter // failed sign-ins per client address
	started      time.Time
	hub          *realtime.Hub   // /live
	rooms        *realtime.Rooms // YJS documents
	files        filesWiring
	mail         *mail.Service
	integrations *integrationsState // scheduler, integrations, Databite (wire_integrations.go)
	cluster      cluster.Cluster    // the other nodes (wire_cluster.go)
	peers        *clusterPeers      // nil on a single node
}

// New builds everything in dependency order: database, schema, migrations,
// seed rows, secrets, resource layer, router and listeners. Nothing is
// listening until Run or Start.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	if err := errors.Join(cfg.Validate(), cfg.Olric.validate(cfg.DB.Type)); err != nil {
		return nil, err
	}
	t0 := time.Now()
	// The schema files are read and compiled while the database opens
	// (SQLite parses its whole catalogue on the first connection): the two
	// are independent and each takes a good part of a restart.
	type compiled struct {
		sc  *schema.Schema
		err error
	}
	loaded := make(chan compiled, 1)
	go func() {
		sc, err := loadSchema(cfg.SchemaDir)
		loaded <- compiled{sc, err}
	}()
	d, dbErr := db.Open(ctx, cfg.DB, nil) // logged below, after a schema error would have been
	c := <-loaded
	if c.err != nil {
		if dbErr == nil {
			d.Close()
		}
		return nil, c.err
	}
	if dbErr != nil {
		return nil, dbErr
	}
	sc := c.sc
	log.InfoContext(ctx, "database opened", "component", "db", "type", d.Dialect.Name(), "target", d.Target(),
		"max_open_conns", d.R.Stats().MaxOpenConnections)
	s := &Server{cfg: cfg, log: log, db: d, schema: schema.NewHolder(sc), conf: resource.NewConfigStore(d)}
	// Start-up reads _config through the writer connection, which the
	// migrations have opened already; the reader pool connects on the
	// first request that reads.
	boot := resource.NewConfigStore(d.WriterView())
	peers, err := s.startCluster()
	if err != nil {
		d.Close()
		return nil, err
	}
	if err := s.withMigrationLock(ctx, func() error { return s.prepareDatabase(ctx, sc) }); err != nil {
		s.closeCluster()
		d.Close()
		return nil, err
	}
	enc, err := s.loadSecrets(ctx, boot)
	if err != nil {
		s.closeCluster()
		d.Close()
		return nil, err
	}
	s.integ() // before the resource layer: its BeforeWrite reads s.integrations
	s.res = resource.New(resource.Options{DB: d, Schema: s.schema, Log: log.With("component", "resource"), EncryptionSecret: enc, PasswordCost: cfg.PasswordCost,
		Files: s.newFiles(enc), Peers: peers, BeforeWrite: s.beforeWrite})
	if err := s.startFiles(ctx); err != nil {
		d.Close()
		return nil, err
	}
	s.applySettings(ctx, boot)
	s.listenSchema()
	s.attempts = auth.NewAttemptLimiter(signinFailuresPerKey, signinWindow, time.Now)
	s.addrAttempts = auth.NewAttemptLimiter(5*signinFailuresPerKey, signinWindow, time.Now)
	s.shareAttempts()
	s.slots = httpmw.NewSlots(s.live, cfg.HTTP.MaxBodyBytes)
	s.exec = s.newExecutor()
	s.mux = s.router()
	s.handler = s.wireRealtime(discovery.WithHealthProbe(s.mux, s.slots.Saturated))
	hl := newHTTPListener("http", cfg.HTTP.Addr, s.handler, log)
	applyTimeouts(hl.srv, cfg.HTTP.Timeouts)
	s.listeners = []Listener{hl, s.wireMail()}
	if l, err := s.ftpListener(ctx); err != nil {
		d.Close()
		return nil, err
	} else if l != nil {
		s.listeners = append(s.listeners, l)
	}
	s.listeners = append(s.listeners, s.httpsListeners(ctx)...) // wire_tls.go
	log.InfoContext(ctx, "server ready", "db_type", cfg.DB.Type, "tables", len(sc.Tables), "elapsed_ms", time.Since(t0).Milliseconds())
	return s, nil
}

func loadSchema(dir string) (*schema.Schema, error) {
	sources, err := schema.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	return schema.Compile(sources...)
}

func (s *Server) prepareDatabase(ctx context.Context, sc *schema.Schema) error {
	if _, err := migrations.Apply(ctx, s.db, sc, s.log.With("component", "migrations")); err != nil {
		return err
	}
	return bootstrap.Run(ctx, s.db, sc, bootstrap.Options{LocalStoragePath: s.cfg.LocalStoragePath})
}

// loadSecrets reads the JWT settings written at first boot and returns
// the encryption secret ("" when the key was removed). A database error
// fails start-up.
func (s *Server) loadSecrets(ctx context.Context, conf *resource.ConfigStore) (string, error) {
	secret, err := conf.Get(ctx, resource.ConfigBackend, resource.KeyJWTSecret)
	if err != nil {
		return "", fmt.Errorf("read jwt.secret: %w", err)
	}
	issuer, err := conf.Get(ctx, resource.ConfigBackend, resource.KeyJWTIssuer)
	if err != nil {
		return "", fmt.Errorf("read jwt.token.issuer: %w", err)
	}
	hours := 72
	if v, err := conf.Get(ctx, resource.ConfigBackend, resource.KeyJWTLifeHours); err == nil {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			hours = n
		}
	}
	s.issuer = auth.NewIssuer([]byte(secret), issuer, time.Duration(hours)*time.Hour, time.Now)
	enc, err := conf.Get(ctx, resource.ConfigBackend, resource.KeyEncryption)
	if err != nil && !errors.Is(err, resource.ErrNoConfig) {
		return "", fmt.Errorf("read encryption.secret: %w", err)
	}
	return enc, nil
}

// Start binds every listener in order; if one fails, those already
// started are stopped and the error is returned.
func (s *Server) Start(ctx context.Context) error {
	s.started = time.Now()
	if err := s.startIntegrations(ctx); err != nil {
		return err
	}
	for i, l := range s.listeners {
		if err := l.Start(ctx); err != nil {
			s.stop(s.listeners[:i])
			_ = s.stopIntegrations()
			return err
		}
		s.log.InfoContext(ctx, "listener started", "name", l.Name(), "addr", l.Addr().String())
	}
	return nil
}

// startupSettle is how long after the listeners start Run waits before it
// hands the memory start-up used and no longer needs back to the OS.
const startupSettle = 300 * time.Millisecond

// Run starts the server and blocks until ctx ends, then shuts down.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		s.db.Close()
		return err
	}
	// Start-up garbage (schema files, catalogue reads, the seed check)
	// would otherwise stay resident until the heap grows enough for the
	// next collection; an idle server should not hold it.
	release := time.AfterFunc(startupSettle, s.settle) // wire_memory.go
	<-ctx.Done()
	release.Stop()
	return s.Close()
}

// Close stops listeners in reverse order (in-flight requests finish within
// the shutdown timeout) and closes the database.
func (s *Server) Close() error {
	s.closeRealtime()
	err := errors.Join(s.stop(s.listeners), s.stopIntegrations())
	s.closeCluster()
	s.log.Info("server stopped")
	return errors.Join(err, s.db.Close())
}

func (s *Server) stop(ls []Listener) error {
	var errs []error
	for i := len(ls) - 1; i >= 0; i-- {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.HTTP.ShutdownTimeout)
		if ls[i].Addr() != nil {
			errs = append(errs, ls[i].Shutdown(ctx))
		}
		cancel()
	}
	return errors.Join(errs...)
}

// Addr returns the bound address of the named listener ("http"), or nil.
func (s *Server) Addr(name string) net.Addr {
	for _, l := range s.listeners {
		if l.Name() == name {
			return l.Addr()
		}
	}
	return nil
}

// Handler is the HTTP handler with every route and middleware (in-process
// benchmarks drive it without a socket).
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns the router, for tests that compare the routes with the
// OpenAPI document.
func (s *Server) Routes() chi.Routes { return s.mux }

// Resource exposes the resource layer (tests and sidecars).
func (s *Server) Resource() resource.Service { return s.res }

// ConfigStore exposes the _config store (tests and sidecars).
func (s *Server) ConfigStore() *resource.ConfigStore { return s.conf }

// Issuer exposes the token issuer (tests).
func (s *Server) Issuer() *auth.Issuer { return s.issuer }
