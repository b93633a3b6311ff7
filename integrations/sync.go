package integrations

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/resource"
)

// JobTypeSync is the job_type of scheduled sync jobs: action_name names
// the operation, attributes carry connection_id and table.
const JobTypeSync = "sync"

// ConnectionPrefix starts the name of every credential row that is a
// Databite connection; the provider name follows.
const ConnectionPrefix = "connection:"

// Connection is a user's authorised account at a provider (a credential
// row). Its secret config is never part of this value.
type Connection struct {
	ID            string `json:"id"`
	IntegrationID string `json:"integrationId"`
	Status        string `json:"status"`
	CreatedAt     any    `json:"createdAt"`
	UpdatedAt     any    `json:"updatedAt"`
}

// ConnectionOf reads a credential row as a connection; ok is false for
// credentials that are not connections.
func ConnectionOf(row resource.Row) (Connection, bool) {
	name, _ := row.Attrs["name"].(string)
	if !strings.HasPrefix(name, ConnectionPrefix) {
		return Connection{}, false
	}
	return Connection{ID: row.RefID, IntegrationID: strings.TrimPrefix(name, ConnectionPrefix), Status: "active",
		CreatedAt: row.Attrs["created_at"], UpdatedAt: row.Attrs["updated_at"]}, true
}

// Connection loads one connection the caller may read.
func (e *Engine) Connection(ctx context.Context, id string) (Connection, error) {
	row, err := e.o.Res().Get(ctx, CredentialTable, id, resource.Query{})
	if err != nil {
		return Connection{}, err
	}
	c, ok := ConnectionOf(row)
	if !ok {
		return Connection{}, fmt.Errorf("%w: Connection not found", ErrNotFound)
	}
	return c, nil
}

// Execute runs an operation of the connection's provider with the
// connection's credentials.
func (e *Engine) Execute(ctx context.Context, connID, op string, input map[string]any) (connector.Result, error) {
	c, err := e.Connection(ctx, connID)
	if err != nil {
		return connector.Result{}, err
	}
	return e.Call(ctx, c.IntegrationID, op, input, Secrets{CredentialID: connID})
}

// Sync calls operation op through a connection and writes every record
// of the answer (a JSON array, or an object's data/items/results/records
// array) as a row of table, in one transaction, as the caller. Record keys
// that are not columns of the table are dropped.
func (e *Engine) Sync(ctx context.Context, connID, op, table string, input map[string]any) (int, error) {
	t, ok := e.o.Res().Schema().Table(table)
	if !ok {
		return 0, fmt.Errorf("%w: no table %q to sync into", ErrNotFound, table)
	}
	out, err := e.Execute(ctx, connID, op, input)
	if err != nil {
		return 0, err
	}
	records, err := recordsOf(out)
	if err != nil {
		return 0, err
	}
	cols := map[string]bool{}
	for _, c := range t.Columns {
		cols[c.ColumnName] = true
	}
	err = e.o.Res().InTx(ctx, func(tx resource.Service) error {
		for _, rec := range records {
			attrs := map[string]any{}
			for k, v := range rec {
				if cols[k] && k != "reference_id" && k != "id" {
					attrs[k] = v
				}
			}
			if _, err := tx.Create(ctx, table, resource.Input{Attributes: attrs}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(records), nil
}

// ErrRecords marks an upstream answer that holds no list of records.
var ErrRecords = errors.New("the answer holds no list of records")

func recordsOf(r connector.Result) ([]map[string]any, error) {
	if r.Status >= 300 {
		return nil, fmt.Errorf("%w: upstream answered %d", ErrRecords, r.Status)
	}
	list, ok := r.Body.([]any)
	if m, isMap := r.Body.(map[string]any); isMap {
		for _, k := range []string{"data", "items", "results", "records"} {
			if l, found := m[k].([]any); found {
				list, ok = l, true
				break
			}
		}
	}
	if !ok {
		return nil, ErrRecords
	}
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}
