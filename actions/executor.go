package actions

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Request is one action call after parsing and permission checks.
type Request struct {
	Type       string
	Action     *schema.Action
	Attributes map[string]any
	Subject    *resource.Row
	// Res is the resource layer to use: bound to the action's transaction
	// when the action runs its outcomes in one.
	Res resource.Service
}

// Performer runs a built-in action or an internal performer.
type Performer func(ctx context.Context, req Request) ([]Response, error)

// Executor resolves, checks and runs actions.
type Executor struct {
	o          Options
	actions    map[string]Performer // built-in actions by "type/name"
	performers map[string]Performer // internal performers by name (EXECUTE outcomes)
	adminOnly  map[string]bool      // built-in actions only administrators may run, by "type/name"
	dynamic    Dynamic              // actions that come and go at run time; nil = none
	// schemaMu serialises schema file writes (uploads, imports that add
	// columns): validate, write and reload happen as one step so two
	// uploads cannot validate against each other's absence. One server,
	// one executor, one schema folder.
	schemaMu sync.Mutex
}

// Options are the dependencies of an Executor.
type Options struct {
	Res    func() resource.Service
	Issuer *auth.Issuer
	Config *resource.ConfigStore
	Log    *slog.Logger
	// AccountLimiter and AddressLimiter bound failed sign-ins per account
	// and per client address; nil means unlimited.
	AccountLimiter, AddressLimiter *auth.AttemptLimiter
	// Reload re-reads schema files and configuration, migrates and swaps
	// the live schema (restart_daptin, upload_system_schema).
	Reload func(ctx context.Context) error
	// SchemaDir is where uploaded schema files are kept.
	SchemaDir string
	// Now is the clock of time-based codes (TOTP); nil means time.Now.
	Now func() time.Time
	// Stores opens cloud stores for the store and site actions; nil
	// leaves those actions unregistered.
	Stores StoreResolver
	// Mailer sends mail (mail.send, password reset, OTP codes); nil makes
	// those actions fail with "mail is not configured".
	Mailer Mailer
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

// New builds an Executor with every built-in action and performer registered.
func New(o Options) *Executor {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	e := &Executor{o: o, actions: map[string]Performer{}, performers: map[string]Performer{}, adminOnly: map[string]bool{}}
	e.registerIdentity()
	e.registerOTPAndSessions()
	e.registerSchemaData()
	e.registerImportExport()
	for _, key := range AdminOnlyActions() {
		e.adminOnly[key] = true
	}
	e.registerStores()
	return e
}

// AdminOnlyActions are the built-in actions ("type/name") that change the
// instance or read other users' data: only administrators may run them,
// whatever their action rows say (docs/security.md). The system schema
// gives their action rows to the administrators group too.
func AdminOnlyActions() []string {
	return []string{
		"world/restart_daptin", "world/upload_system_schema", "world/generate_random_data",
		"world/export_data", "world/export_csv_data", "world/import_data", "world/add_exchange",
		"world/remove_table", "world/remove_column", "world/rename_column", "world/sync_column_storage",
		"world/import_files_from_store", "mail_server/sync_mail_servers", "outbox/process_outbox",
	}
}

// IsAdminOnly reports whether the built-in action typ/name is for
// administrators only.
func (e *Executor) IsAdminOnly(typ, name string) bool { return e.adminOnly[typ+"/"+name] }

// Register adds a built-in action implemented outside this package (the
// server wires sidecar actions such as realtime's publish_to_topic and
// mail's sync_mail_servers this way), replacing any of the same name.
func (e *Executor) Register(typ, name string, p Performer) { e.register(typ, name, p) }

// Dynamic supplies actions and performers that appear and disappear
// while the server runs (the operations of installed integrations).
// Implementations are safe for concurrent use.
type Dynamic interface {
	// Action returns the performer of action name on table typ.
	Action(typ, name string) (Performer, bool)
	// Performer returns the performer of an outcome {Type: typ, Method: method}.
	Performer(typ, method string) (Performer, bool)
}

// SetDynamic installs the source of run-time actions; call it before
// serving, as Register.
func (e *Executor) SetDynamic(d Dynamic) { e.dynamic = d }

// register adds a built-in action.
func (e *Executor) register(typ, name string, p Performer) { e.actions[typ+"/"+name] = p }

// registerPerformer adds an internal performer for EXECUTE outcomes.
func (e *Executor) registerPerformer(name string, p Performer) { e.performers[name] = p }

// RegisterPerformer adds an internal performer from outside the package.
func (e *Executor) RegisterPerformer(name string, p Performer) { e.registerPerformer(name, p) }

func (e *Executor) res() resource.Service { return e.o.Res() }

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
	if e.adminOnly[typ+"/"+name] {
		if err := requireAdmin(ctx); err != nil {
			return nil, err
		}
	}
	subjectRef, _ := attrs[typ+"_id"].(string)
	subject, err := res.CheckExecute(ctx, typ, name, subjectRef)
	if err != nil {
		return nil, err
	}
	req := Request{Type: typ, Action: a, Attributes: attrs, Res: res}
	if subjectRef != "" {
		req.Subject = &subject
	} else if !a.InstanceOptional {
		return nil, Fail(http.StatusBadRequest, "required reference id not provided or incorrect: send %s_id", typ)
	}
	if err := prepareInFields(a, attrs); err != nil {
		return nil, err
	}
	if perform, ok := e.actions[typ+"/"+name]; ok {
		return perform(ctx, req)
	}
	if e.dynamic != nil {
		if perform, ok := e.dynamic.Action(typ, name); ok {
			return perform(ctx, req)
		}
	}
	if len(a.OutFields) > 0 {
		return e.runOutcomes(ctx, req)
	}
	return nil, Fail(http.StatusNotImplemented, "action %q is not supported yet", name)
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
