package outbox

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/mail/store"
)

// Retry policy (contract sidecars.md §4.6).
const (
	MaxTries  = 5
	BatchSize = 100
	// ClaimTTL is how long a claimed row is left to the node delivering it.
	ClaimTTL = 90 * time.Second
	// SendTimeout bounds one delivery attempt.
	SendTimeout = 30 * time.Second
)

// Resolver finds the mail exchangers of a domain.
type Resolver interface {
	LookupMX(ctx context.Context, domain string) ([]*net.MX, error)
}

// Options configure an Outbox.
type Options struct {
	Store *store.Store
	Log   *slog.Logger
	// Config reads a backend _config value ("" when unset):
	// mail.dkim_selector.
	Config func(ctx context.Context, key string) string
	// Resolver looks up MX records; nil = the system resolver.
	Resolver Resolver
	// Port is the SMTP port of mail exchangers; 0 = 25.
	Port int
	// Smarthost, when set ("host:port"), receives all outgoing mail
	// instead of the recipients' exchangers (tests, relays).
	Smarthost string
	// Interval between queue runs; 0 = one minute.
	Interval time.Duration
	Now      func() time.Time
}

// Outbox queues and delivers outgoing mail.
type Outbox struct {
	Options
	store *store.Store
	log   *slog.Logger
	kick  chan struct{}
}

// New returns an Outbox; Run starts its worker.
func New(o Options) *Outbox {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Port == 0 {
		o.Port = 25
	}
	if o.Interval == 0 {
		o.Interval = time.Minute
	}
	if o.Config == nil {
		o.Config = func(context.Context, string) string { return "" }
	}
	return &Outbox{Options: o, store: o.Store, log: o.Log, kick: make(chan struct{}, 1)}
}

func (o *Outbox) now() time.Time { return o.Now() }

func (o *Outbox) selector(ctx context.Context) string {
	if s := o.Config(ctx, "mail.dkim_selector"); s != "" {
		return s
	}
	return "d1"
}

// Kick asks the worker for a queue run now.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Run delivers the queue every Interval, and when kicked, until ctx ends.
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.kick:
		}
		if _, err := o.Process(ctx); err != nil && ctx.Err() == nil {
			o.log.Warn("outbox run failed", "err", err)
		}
	}
}

func sys(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }
