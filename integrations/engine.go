package integrations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/integrations/exchange"
	"github.com/apiary/apiary/integrations/oauth"
	"github.com/apiary/apiary/integrations/scheduler"
	"github.com/apiary/apiary/resource"
)

// Tables that hold the caller's secrets.
const (
	OAuthTokenTable = "oauth_token"
	CredentialTable = "credential"
)

// ErrNotFound marks an unknown or invisible provider, operation,
// connection or credential.
var ErrNotFound = errors.New("not found")

// Options are the dependencies of an Engine.
type Options struct {
	Res     func() resource.Service
	Decrypt func(string) (string, error)
	Log     *slog.Logger
	Run     scheduler.Runner
	Claim   scheduler.Claim
	// Timeout and MaxResponse bound every upstream call.
	Timeout     time.Duration
	MaxResponse int64
	// BaseURL makes relative OAuth redirect URIs absolute.
	BaseURL func() string
}

// Engine is the one engine behind the Daptin integration routes and the
// Databite API: installed providers, upstream calls and the scheduler.
type Engine struct {
	o         Options
	Providers *connector.Registry
	Caller    *connector.Caller
	Scheduler *scheduler.Scheduler
	OAuth     *oauth.Client
	Exchanges *exchange.Runner
	cancel    func()
	stop      chan struct{}
	done      chan struct{}
	changes   changeQueue // integration row changes, applied in order off the writer's goroutine
}

// New builds an Engine; Start loads it.
func New(o Options) *Engine {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Engine{o: o,
		Providers: connector.NewRegistry(o.Res, o.Decrypt, o.Log.With("part", "integrations")),
		Caller:    connector.NewCaller(o.Timeout, o.MaxResponse),
		Scheduler: scheduler.New(scheduler.Options{Res: o.Res, Run: o.Run, Claim: o.Claim, Log: o.Log.With("part", "scheduler")}),
		OAuth:     oauth.New(oauth.Options{Res: o.Res, Decrypt: o.Decrypt, BaseURL: o.BaseURL, HTTP: &http.Client{Timeout: o.Timeout}}),
		Exchanges: exchange.New(exchange.Options{Res: o.Res, HTTP: &http.Client{Timeout: o.Timeout}, Log: o.Log.With("part", "exchanges"),
			Action: func(ctx context.Context, typ, action string, attrs map[string]any) error {
				return o.Run(ctx, "action", typ, action, attrs)
			}}),
	}
}

// Start installs the enabled integrations and starts the scheduler.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.Providers.LoadAll(ctx); err != nil {
		return fmt.Errorf("integrations: %w", err)
	}
	bg := context.WithoutCancel(ctx)
	e.changes.wake = make(chan struct{}, 1)
	e.cancel = e.o.Res().Subscribe(func(c resource.Change) {
		if c.Table == connector.IntegrationTable {
			e.changes.push(c)
		}
	})
	e.stop, e.done = make(chan struct{}), make(chan struct{}, 2)
	go e.refreshTokens(bg)
	go e.followChanges(bg)
	if err := e.Exchanges.Start(ctx); err != nil {
		return err
	}
	return e.Scheduler.Start(ctx)
}

// refreshInterval is how often tokens near expiry are refreshed.
const refreshInterval = time.Minute

// refreshTokens refreshes OAuth tokens before they expire.
func (e *Engine) refreshTokens(ctx context.Context) {
	defer func() { e.done <- struct{}{} }()
	t := time.NewTicker(refreshInterval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			if n, err := e.OAuth.RefreshDue(ctx); err != nil {
				e.o.Log.WarnContext(ctx, "oauth token refresh failed", "refreshed", n, "err", err)
			}
		}
	}
}

// Stop stops following changes, the token refresher and the scheduler.
func (e *Engine) Stop() {
	if e.cancel != nil {
		e.cancel()
	}
	if e.stop != nil {
		close(e.stop)
		<-e.done
		<-e.done
		e.stop = nil
	}
	e.Exchanges.Stop()
	e.Scheduler.Stop()
}

// Secrets names the rows whose secrets authorise one call.
type Secrets struct {
	OAuthTokenID string
	CredentialID string
}

// Call runs an operation as the caller in ctx. Without a token or
// credential the caller must be able to read the integration row; with
// one, the caller must be able to read that row.
func (e *Engine) Call(ctx context.Context, provider, op string, input map[string]any, sec Secrets) (connector.Result, error) {
	p, ok := e.Providers.Get(provider)
	if !ok {
		return connector.Result{}, fmt.Errorf("%w: integration provider [%s] is not installed or enabled", ErrNotFound, provider)
	}
	if _, ok := p.Operation(op); !ok {
		return connector.Result{}, fmt.Errorf("%w: provider %s has no operation %q", ErrNotFound, provider, op)
	}
	creds, err := e.credentials(ctx, p, sec)
	if err != nil {
		return connector.Result{}, err
	}
	return e.Caller.Call(ctx, p, op, input, creds)
}

func (e *Engine) credentials(ctx context.Context, p *connector.Provider, sec Secrets) (connector.Credentials, error) {
	res := e.o.Res()
	switch {
	case sec.OAuthTokenID != "":
		tok, err := e.OAuth.AccessToken(ctx, sec.OAuthTokenID)
		return connector.Credentials{AccessToken: tok}, err
	case sec.CredentialID != "":
		row, err := res.Get(ctx, CredentialTable, sec.CredentialID, resource.Query{})
		if err != nil {
			return connector.Credentials{}, err
		}
		c, err := e.credentialValues(row)
		if err != nil {
			return c, err
		}
		return e.withOAuth(ctx, c)
	}
	if _, err := res.Get(ctx, connector.IntegrationTable, p.RefID, resource.Query{}); err != nil {
		return connector.Credentials{}, err
	}
	return connector.Credentials{}, nil
}

// credentialValues opens a credential row's content: a JSON object whose
// "config" (Databite connections) or top level holds the values, with
// accessToken/access_token sent as a bearer token.
func (e *Engine) credentialValues(row resource.Row) (connector.Credentials, error) {
	plain, err := e.open(row.Attrs["content"])
	if err != nil {
		return connector.Credentials{}, err
	}
	var m map[string]any
	if plain != "" && json.Unmarshal([]byte(plain), &m) != nil {
		return connector.Credentials{}, fmt.Errorf("%w: the credential is not a JSON object", connector.ErrInput)
	}
	if cfg, ok := m["config"].(map[string]any); ok {
		m = cfg
	}
	c := connector.Credentials{Values: m}
	for _, k := range []string{"accessToken", "access_token"} {
		if s, ok := m[k].(string); ok && s != "" {
			c.AccessToken = s
		}
	}
	return c, nil
}

// withOAuth replaces an oauth_token_id in a connection's values by the
// token's current access token (refreshed when due); the caller must be
// able to read the token row, so a connection cannot borrow another
// user's token.
func (e *Engine) withOAuth(ctx context.Context, c connector.Credentials) (connector.Credentials, error) {
	ref, _ := c.Values["oauth_token_id"].(string)
	if ref == "" {
		return c, nil
	}
	tok, err := e.OAuth.AccessToken(ctx, ref)
	if err != nil {
		return c, err
	}
	c.AccessToken = tok
	return c, nil
}

func (e *Engine) open(v any) (string, error) {
	s, _ := v.(string)
	if s == "" {
		return "", nil
	}
	plain, err := e.o.Decrypt(s)
	if err != nil {
		return "", errors.New("a stored secret cannot be decrypted")
	}
	return plain, nil
}

// changeQueue holds integration row changes until the follower applies
// them: installing writes action rows, which must not happen on the
// goroutine that published the change (it may hold the writer).
type changeQueue struct {
	mu    sync.Mutex
	items []resource.Change
	wake  chan struct{}
}

func (q *changeQueue) push(c resource.Change) {
	q.mu.Lock()
	q.items = append(q.items, c)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *changeQueue) take() []resource.Change {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	q.items = nil
	return out
}

// followChanges installs, reinstalls or removes integrations as their
// rows change, in order.
func (e *Engine) followChanges(ctx context.Context) {
	defer func() { e.done <- struct{}{} }()
	for {
		select {
		case <-e.stop:
			return
		case <-e.changes.wake:
			for _, c := range e.changes.take() {
				e.Providers.Changed(ctx, c)
			}
		}
	}
}
