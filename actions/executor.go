package actions

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Request is one action call after parsing.
type Request struct {
	Type       string
	Action     *schema.Action
	Attributes map[string]any
	Subject    *resource.Row
}

// Performer runs a built-in action.
type Performer func(ctx context.Context, req Request) ([]Response, error)

// Executor resolves, checks and runs actions.
type Executor struct {
	res      func() resource.Service
	issuer   *auth.Issuer
	conf     *resource.ConfigStore
	log      *slog.Logger
	accounts Limiter
	addrs    Limiter
	builtins map[string]Performer
}

// Limiter counts failed attempts per key (sign-in abuse protection).
type Limiter interface {
	Allow(key string) (ok bool, retryAfter time.Duration)
	Fail(key string)
	Reset(key string)
}

// Options are the dependencies of an Executor.
type Options struct {
	Res    func() resource.Service
	Issuer *auth.Issuer
	Config *resource.ConfigStore
	Log    *slog.Logger
	// AccountLimiter and AddressLimiter bound failed sign-ins per account
	// and per client address; nil means unlimited.
	AccountLimiter, AddressLimiter Limiter
}

type clientIPKey struct{}

// WithClientIP records the caller's address for per-address limits.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// New builds an Executor with every built-in performer registered.
func New(o Options) *Executor {
	e := &Executor{res: o.Res, issuer: o.Issuer, conf: o.Config, log: o.Log, accounts: o.AccountLimiter, addrs: o.AddressLimiter}
	e.builtins = map[string]Performer{
		"user_account/signup":           e.signup,
		"user_account/signin":           e.signin,
		"world/become_an_administrator": e.becomeAdmin,
	}
	return e
}

// Execute runs action name on type typ with the given attributes.
func (e *Executor) Execute(ctx context.Context, typ, name string, attrs map[string]any) ([]Response, error) {
	res := e.res()
	sc := res.Schema()
	if _, ok := sc.Table(typ); !ok {
		return nil, Fail(http.StatusNotFound, "no such type %q", typ)
	}
	a, ok := sc.Action(typ, name)
	if !ok {
		return nil, Fail(http.StatusNotFound, "no action %q on %q", name, typ)
	}
	subjectRef, _ := attrs[typ+"_id"].(string)
	subject, err := res.CheckExecute(ctx, typ, name, subjectRef)
	if err != nil {
		return nil, err
	}
	req := Request{Type: typ, Action: a, Attributes: attrs}
	if subjectRef != "" {
		req.Subject = &subject
	} else if !a.InstanceOptional {
		return nil, Fail(http.StatusBadRequest, "required reference id not provided or incorrect: send %s_id", typ)
	}
	if err := prepareInFields(a, attrs); err != nil {
		return nil, err
	}
	perform, ok := e.builtins[typ+"/"+name]
	if !ok {
		return nil, Fail(http.StatusNotImplemented, "action %q is not supported yet", name)
	}
	return perform(ctx, req)
}

// prepareInFields fills missing in-fields with "", applies the action's
// conformations, then its validations (contract core.md §6.3 steps 5–7).
func prepareInFields(a *schema.Action, attrs map[string]any) error {
	for _, f := range a.InFields {
		if _, ok := attrs[f.ColumnName]; !ok {
			attrs[f.ColumnName] = ""
		}
	}
	for _, c := range a.Conformations {
		s, ok := attrs[c.ColumnName].(string)
		if !ok {
			continue
		}
		for _, tag := range strings.Split(c.Tags, ",") {
			switch strings.TrimSpace(tag) {
			case "trim", "name":
				s = strings.TrimSpace(s)
			case "lower", "email":
				s = strings.ToLower(strings.TrimSpace(s))
			}
		}
		attrs[c.ColumnName] = s
	}
	for _, v := range a.Validations {
		if tag, ok := resource.CheckTags(v.Tags, attrs[v.ColumnName], attrs); !ok {
			return invalidField(tag, v.ColumnName)
		}
	}
	return nil
}
