package filestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/storage/blob"
)

// Table names this package reads.
const (
	TableStore      = "cloud_store"
	TableCredential = "credential"
	// DefaultStore is the name of the store created at boot.
	DefaultStore = "localstore"
)

// ErrUnknownStore is returned for a store name with no cloud_store row.
var ErrUnknownStore = errors.New("no such cloud store")

// Stores opens cloud stores by name and keeps them open until their row or
// a credential changes (so a new or changed store works without restart).
type Stores struct {
	res    func() resource.Service
	secret string // encryption.secret: credential content is encrypted at rest
	log    *slog.Logger
	mu     sync.Mutex
	open   map[string]*blob.Store
}

// New returns an empty set of stores; Watch must be called once the
// resource layer exists. secret decrypts credential rows.
func New(res func() resource.Service, secret string, log *slog.Logger) *Stores {
	return &Stores{res: res, secret: secret, log: log, open: map[string]*blob.Store{}}
}

// Watch drops opened stores whenever a cloud_store or credential row
// changes.
func (s *Stores) Watch() (cancel func()) {
	return s.res().Subscribe(func(c resource.Change) {
		if c.Table == TableStore || c.Table == TableCredential {
			s.mu.Lock()
			clear(s.open)
			s.mu.Unlock()
		}
	})
}

func system(ctx context.Context) context.Context {
	return auth.WithPrincipal(ctx, auth.System())
}

// ByName returns the open store of the cloud_store row with that name.
func (s *Stores) ByName(ctx context.Context, name string) (*blob.Store, error) {
	s.mu.Lock()
	st, ok := s.open[name]
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	row, err := s.row(ctx, "name", name)
	if err != nil {
		return nil, err
	}
	st, err = s.openRow(ctx, row)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.open[name] = st
	s.mu.Unlock()
	return st, nil
}

// ByRef returns the store of the cloud_store row with that reference id,
// and the row.
func (s *Stores) ByRef(ctx context.Context, refID string) (*blob.Store, resource.Row, error) {
	row, err := s.res().Get(system(ctx), TableStore, refID, resource.Query{})
	if err != nil {
		return nil, resource.Row{}, err
	}
	name, _ := row.Attrs["name"].(string)
	st, err := s.ByName(ctx, name)
	return st, row, err
}

func (s *Stores) row(ctx context.Context, col, val string) (resource.Row, error) {
	page, err := s.res().List(system(ctx), TableStore, resource.Query{PageSize: 2,
		Conditions: []resource.Condition{{Column: col, Operator: "is", Value: val}}})
	if err != nil {
		return resource.Row{}, err
	}
	if len(page.Rows) == 0 {
		return resource.Row{}, fmt.Errorf("%w: %q", ErrUnknownStore, val)
	}
	return page.Rows[0], nil
}

// openRow opens the store a cloud_store row describes.
func (s *Stores) openRow(ctx context.Context, row resource.Row) (*blob.Store, error) {
	str := func(k string) string { v, _ := row.Attrs[k].(string); return v }
	sp := blob.Spec{Provider: str("store_provider"), Root: str("root_path")}
	if sp.Provider == "" {
		sp.Provider = str("store_type")
	}
	if sp.Provider != "local" {
		params, err := s.credential(ctx, str("credential_name"))
		if err != nil {
			return nil, err
		}
		sp.Params = params
	}
	return blob.Open(ctx, sp)
}

// credential reads the decrypted JSON of a credential row as rclone keys.
func (s *Stores) credential(ctx context.Context, name string) (map[string]string, error) {
	if name == "" {
		return nil, nil
	}
	page, err := s.res().List(system(ctx), TableCredential, resource.Query{PageSize: 2,
		Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: name}}})
	if err != nil {
		return nil, err
	}
	if len(page.Rows) == 0 {
		return nil, fmt.Errorf("credential %q does not exist", name)
	}
	content, _ := page.Rows[0].Attrs["content"].(string)
	if plain, err := auth.Decrypt(s.secret, content); err == nil {
		content = plain
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(content), &raw); err != nil {
		return nil, fmt.Errorf("credential %q is not a JSON object", name)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch x := v.(type) {
		case string:
			out[k] = x
		default:
			b, _ := json.Marshal(x)
			out[k] = strings.Trim(string(b), `"`)
		}
	}
	return out, nil
}

// EnsureDefault creates the "localstore" row for root unless it exists or
// root is ";" (the default store disabled, as Daptin).
func EnsureDefault(ctx context.Context, res resource.Service, root string) error {
	if root == ";" || root == "" {
		return nil
	}
	page, err := res.List(system(ctx), TableStore, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "name", Operator: "is", Value: DefaultStore}}})
	if err != nil || len(page.Rows) > 0 {
		return err
	}
	_, err = res.Create(system(ctx), TableStore, resource.Input{Attributes: map[string]any{
		"name": DefaultStore, "store_type": "local", "store_provider": "local", "root_path": root, "store_parameters": "{}"}})
	return err
}
