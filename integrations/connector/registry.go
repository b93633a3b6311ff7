package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// IntegrationTable holds the provider specifications.
const IntegrationTable = "integration"

// Registry is the set of installed providers, by name.
type Registry struct {
	res     func() resource.Service
	decrypt func(string) (string, error)
	log     *slog.Logger
	mu      sync.RWMutex
	byName  map[string]*Provider
	changed func() // called after the set of providers changed; set before use
}

// OnChange sets fn to be called after every install or removal (the
// server keeps the operations' actions in step with it). Call it before
// LoadAll.
func (r *Registry) OnChange(fn func()) { r.changed = fn }

func (r *Registry) notify() {
	if r.changed != nil {
		r.changed()
	}
}

// NewRegistry builds an empty registry. decrypt opens encrypted columns.
func NewRegistry(res func() resource.Service, decrypt func(string) (string, error), log *slog.Logger) *Registry {
	return &Registry{res: res, decrypt: decrypt, log: log, byName: map[string]*Provider{}}
}

func system(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// Install parses the integration row ref and (re)registers its provider.
// A spec that fails leaves the previous installation as it was.
func (r *Registry) Install(ctx context.Context, ref string) (*Provider, error) {
	row, err := r.res().Get(system(ctx), IntegrationTable, ref, resource.Query{})
	if err != nil {
		return nil, err
	}
	return r.installRow(ctx, row)
}

func (r *Registry) installRow(ctx context.Context, row resource.Row) (*Provider, error) {
	str := func(k string) string { s, _ := row.Attrs[k].(string); return s }
	var authSpec map[string]any
	if enc := str("authentication_specification"); enc != "" {
		plain, err := r.decrypt(enc)
		if err != nil {
			return nil, fmt.Errorf("%w: authentication_specification cannot be decrypted", ErrBadSpec)
		}
		if plain != "" && json.Unmarshal([]byte(plain), &authSpec) != nil {
			return nil, fmt.Errorf("%w: authentication_specification is not a JSON object", ErrBadSpec)
		}
	}
	p, err := NewProvider(ctx, str("name"), row.RefID, str("authentication_type"), []byte(str("specification")), authSpec)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	for name, old := range r.byName {
		if old.RefID == row.RefID {
			delete(r.byName, name)
		}
	}
	r.byName[p.Name] = p
	r.mu.Unlock()
	r.notify()
	return p, nil
}

// LoadAll installs every enabled integration; a failing one is logged
// and skipped.
func (r *Registry) LoadAll(ctx context.Context) error {
	res := r.res()
	for page := 1; ; page++ {
		pg, err := res.List(system(ctx), IntegrationTable, resource.Query{PageNumber: page, PageSize: resource.MaxPageSize})
		if err != nil {
			return err
		}
		for _, row := range pg.Rows {
			if !resource.Truthy(row.Attrs["enable"]) {
				continue
			}
			if _, err := r.installRow(ctx, row); err != nil {
				r.log.WarnContext(ctx, "integration not installed", "integration", row.Attrs["name"], "err", err)
			}
		}
		if len(pg.Rows) < resource.MaxPageSize {
			return nil
		}
	}
}

// Changed follows the integration table: a deleted or disabled row is
// uninstalled, an enabled row that was created or changed is installed
// (again), as at start-up, without a restart.
func (r *Registry) Changed(ctx context.Context, c resource.Change) {
	if c.Table != IntegrationTable {
		return
	}
	r.Reload(ctx, c.RefID, c.Op == resource.OpDelete || !resource.Truthy(c.Row["enable"]))
}

// Reload installs the integration row ref again, or removes it when gone
// is true or the row is missing or disabled. A spec that fails keeps the
// previous installation and is logged.
func (r *Registry) Reload(ctx context.Context, ref string, gone bool) {
	if !gone {
		row, err := r.res().Get(system(ctx), IntegrationTable, ref, resource.Query{})
		switch {
		case err != nil || !resource.Truthy(row.Attrs["enable"]):
			gone = true
		default:
			if _, err := r.installRow(ctx, row); err != nil {
				r.log.WarnContext(ctx, "integration not installed", "integration_id", ref, "err", err)
			}
			return
		}
	}
	r.removeRef(ref)
}

func (r *Registry) byRef(ref string) (*Provider, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, p := range r.byName {
		if p.RefID == ref {
			return p, true
		}
	}
	return nil, false
}

func (r *Registry) removeRef(ref string) {
	r.mu.Lock()
	n := len(r.byName)
	for name, p := range r.byName {
		if p.RefID == ref {
			delete(r.byName, name)
		}
	}
	removed := len(r.byName) != n
	r.mu.Unlock()
	if removed {
		r.notify()
	}
}

// Get returns an installed provider by name or integration id.
func (r *Registry) Get(key string) (*Provider, bool) {
	r.mu.RLock()
	p, ok := r.byName[key]
	r.mu.RUnlock()
	if ok {
		return p, true
	}
	return r.byRef(key)
}

// List returns the installed providers by name.
func (r *Registry) List() []*Provider {
	r.mu.RLock()
	out := make([]*Provider, 0, len(r.byName))
	for _, p := range r.byName {
		out = append(out, p)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// FindOperation returns the installed provider that has operation op
// (the first by provider name when several do).
func (r *Registry) FindOperation(op string) (*Provider, bool) {
	for _, p := range r.List() {
		if _, ok := p.Operation(op); ok {
			return p, true
		}
	}
	return nil, false
}
