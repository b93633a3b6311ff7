package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Table holds the exchanges.
const Table = "data_exchange"

// ActionRunner runs an action as the principal ctx carries.
type ActionRunner func(ctx context.Context, typ, action string, attrs map[string]any) error

// Options are the dependencies of a Runner.
type Options struct {
	Res    func() resource.Service
	Action ActionRunner
	HTTP   *http.Client
	Log    *slog.Logger
}

// exchange is one loaded data_exchange row.
type exchange struct {
	ref, name, source, targetType string
	methods                       []string
	target                        map[string]any
	userRef                       string
	hook                          string // "before" or "after"
}

// Runner follows table changes and runs the matching exchanges.
type Runner struct {
	o      Options
	mu     sync.RWMutex
	byRef  map[string]exchange
	wg     sync.WaitGroup
	cancel func()
	ctx    context.Context
	stop   context.CancelFunc
}

// New builds a Runner.
func New(o Options) *Runner {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Runner{o: o, byRef: map[string]exchange{}}
}

func system(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// Start loads the exchanges and follows changes.
func (r *Runner) Start(ctx context.Context) error {
	r.ctx, r.stop = context.WithCancel(context.WithoutCancel(ctx))
	p, err := r.o.Res().List(system(ctx), Table, resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		return fmt.Errorf("data exchanges: %w", err)
	}
	for _, row := range p.Rows {
		r.load(row)
	}
	r.cancel = r.o.Res().Subscribe(r.changed)
	return nil
}

// Stop stops following changes and waits for running exchanges.
func (r *Runner) Stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
	if r.stop != nil {
		r.stop()
	}
}

func obj(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case string:
		var m map[string]any
		_ = json.Unmarshal([]byte(x), &m)
		return m
	}
	return nil
}

// load reads one row; rows without as_user_id, a source or a hook
// ("before" or "after") are ignored.
func (r *Runner) load(row resource.Row) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byRef, row.RefID)
	s := func(k string) string { v, _ := row.Attrs[k].(string); return v }
	attrs, target := obj(row.Attrs["attributes"]), obj(row.Attrs["target_attributes"])
	x := exchange{ref: row.RefID, name: s("name"), targetType: s("target_type"), target: target, userRef: s("as_user_id")}
	switch {
	case s("source_type") == "self":
		x.source, _ = attrs["name"].(string)
	case x.targetType == "self":
		x.source, _ = target["name"].(string)
	}
	x.hook, _ = attrs["hook"].(string)
	if (x.hook != HookAfter && x.hook != HookBefore) || x.userRef == "" || x.source == "" {
		return
	}
	list, _ := attrs["methods"].([]any)
	for _, m := range list {
		if s, ok := m.(string); ok {
			x.methods = append(x.methods, strings.ToLower(s))
		}
	}
	r.byRef[row.RefID] = x
}

var methodOf = map[resource.Op]string{resource.OpCreate: "post", resource.OpUpdate: "patch", resource.OpDelete: "delete"}

func (r *Runner) changed(c resource.Change) {
	if c.Table == Table {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			row, err := r.o.Res().Get(system(r.ctx), Table, c.RefID, resource.Query{})
			if err != nil {
				r.mu.Lock()
				delete(r.byRef, c.RefID)
				r.mu.Unlock()
				return
			}
			r.load(row)
		}()
		return
	}
	for _, x := range r.matching(HookAfter, c.Table, c.Op) {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			if err := r.run(r.ctx, x, c); err != nil {
				r.o.Log.Warn("data exchange failed", "exchange", x.name, "table", c.Table, "err", err)
			}
		}()
	}
}

// asUser returns ctx acting as the exchange's as_user_id user.
func (r *Runner) asUser(ctx context.Context, x exchange) (context.Context, error) {
	res := r.o.Res()
	u, err := res.Get(system(ctx), schema.TableUser, x.userRef, resource.Query{})
	if err != nil {
		return ctx, fmt.Errorf("exchange user: %w", err)
	}
	email, _ := u.Attrs["email"].(string)
	p, err := res.PrincipalByEmail(ctx, email)
	if err != nil {
		return ctx, fmt.Errorf("exchange user: %w", err)
	}
	return auth.WithPrincipal(ctx, p), nil
}

// matching returns the exchanges with hook on table for op, by name.
func (r *Runner) matching(hook, table string, op resource.Op) []exchange {
	method := methodOf[op]
	r.mu.RLock()
	var out []exchange
	for _, x := range r.byRef {
		if x.hook == hook && x.source == table && slices.Contains(x.methods, method) {
			out = append(out, x)
		}
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// run executes one exchange for one change as the exchange's user.
func (r *Runner) run(ctx context.Context, x exchange, c resource.Change) error {
	ctx, err := r.asUser(ctx, x)
	if err != nil {
		return err
	}
	subject := c.Row
	if c.Op != resource.OpDelete {
		row, err := r.o.Res().Get(ctx, c.Table, c.RefID, resource.Query{})
		if err != nil {
			return fmt.Errorf("the exchange user cannot read the row: %w", err)
		}
		subject = row.Attrs
	}
	return r.target(ctx, x, c, subject)
}

// target sends one change to the exchange's target.
func (r *Runner) target(ctx context.Context, x exchange, c resource.Change, subject map[string]any) error {
	switch x.targetType {
	case "action":
		typ, _ := x.target["type"].(string)
		action, _ := x.target["action"].(string)
		attrs := map[string]any{}
		for k, v := range obj(x.target["attributes"]) {
			attrs[k] = v
		}
		attrs["subject"] = subject
		attrs[c.Table+"_id"] = c.RefID
		return r.o.Action(ctx, typ, action, attrs)
	case "rest":
		return r.rest(ctx, x, c, subject)
	}
	return fmt.Errorf("unknown target_type %q", x.targetType)
}

// rest sends {"event", "table", "id", "row"} to target_attributes.url with
// target_attributes.method (POST) and headers.
func (r *Runner) rest(ctx context.Context, x exchange, c resource.Change, subject map[string]any) error {
	u, _ := x.target["url"].(string)
	method, _ := x.target["method"].(string)
	if method == "" {
		method = http.MethodPost
	}
	body, err := json.Marshal(map[string]any{"event": methodOf[c.Op], "table": c.Table, "id": c.RefID, "row": subject})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(method), u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad target url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range obj(x.target["headers"]) {
		if s, ok := v.(string); ok {
			req.Header.Set(k, s)
		}
	}
	resp, err := r.o.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("target unreachable")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("target answered %d", resp.StatusCode)
	}
	return nil
}
