package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Limits of the data actions.
const (
	maxRandomRows   = 10000
	exportPageSize  = resource.MaxPageSize
	defaultBatch    = 500
	fkCandidatePage = 100
)

// generateRandomData inserts count rows of fake values into a table, in one
// transaction and as the caller, so permission checks apply (contract
// core.md §6.7 generate_random_data). It answers an empty list.
func (e *Executor) generateRandomData(ctx context.Context, req Request) ([]Response, error) {
	count, ok := attrWhole(req.Attributes["count"])
	if !ok || count < 1 || count > maxRandomRows {
		return nil, Fail(http.StatusBadRequest, "count must be a whole number from 1 to %d", maxRandomRows)
	}
	t, err := dataTable(req.Res.Schema(), str(req.Attributes["table_name"]))
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	err = req.Res.InTx(ctx, func(tx resource.Service) error {
		fkRefs, err := fkCandidates(ctx, tx, t)
		if err != nil {
			return err
		}
		for i := int64(0); i < count; i++ {
			in := resource.Input{Attributes: fakeRow(t, fkRefs, rng)}
			if _, err := tx.Create(ctx, t.TableName, in); err != nil {
				return asActionError(err, "row %d of %s", i+1, t.TableName)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []Response{}, nil
}

// dataTable resolves the table_name input: 400 when empty, 404 when unknown.
func dataTable(sc *schema.Schema, name string) (*schema.Table, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, Fail(http.StatusBadRequest, "table_name is required")
	}
	t, ok := sc.Table(name)
	if !ok {
		return nil, Fail(http.StatusNotFound, "no such table %q", name)
	}
	return t, nil
}

// isStandardColumn reports columns the server fills on every row.
func isStandardColumn(t *schema.Table, col *schema.Column) bool {
	switch col.ColumnName {
	case schema.ColID, schema.ColVersion, schema.ColCreatedAt, schema.ColUpdatedAt, schema.ColReferenceID, schema.ColPermission:
		return true
	case schema.ColOwner:
		return t.HasOwner()
	}
	return false
}

// fkCandidates lists, for every required foreign key, ids of rows the
// caller can see in the target table; 400 when a target has none.
func fkCandidates(ctx context.Context, tx resource.Service, t *schema.Table) (map[string][]string, error) {
	out := map[string][]string{}
	for i := range t.Columns {
		col := &t.Columns[i]
		if isStandardColumn(t, col) || !col.IsForeignKey || col.ForeignKeyData.DataSource != "self" || col.IsNullable {
			continue
		}
		target := col.ForeignKeyData.Namespace
		page, err := tx.List(ctx, target, resource.Query{PageSize: fkCandidatePage})
		if err != nil && !errors.Is(err, resource.ErrForbidden) {
			return nil, err
		}
		for _, r := range page.Rows {
			out[col.ColumnName] = append(out[col.ColumnName], r.RefID)
		}
		if len(out[col.ColumnName]) == 0 {
			return nil, Fail(http.StatusBadRequest, "%s.%s must point at a %s row, and there is none to pick", t.TableName, col.ColumnName, target)
		}
	}
	return out, nil
}

// fakeRow builds the attributes of one random row.
func fakeRow(t *schema.Table, fkRefs map[string][]string, rng *rand.Rand) map[string]any {
	attrs := map[string]any{}
	for i := range t.Columns {
		col := &t.Columns[i]
		if isStandardColumn(t, col) || col.ExcludeFromApi {
			continue
		}
		if col.IsForeignKey && col.ForeignKeyData.DataSource == "self" {
			if refs := fkRefs[col.ColumnName]; len(refs) > 0 {
				attrs[col.ColumnName] = refs[rng.IntN(len(refs))]
			}
			continue
		}
		if v := schema.FakeValue(col, rng); v != nil {
			attrs[col.ColumnName] = v
		}
	}
	return attrs
}

// parseDump reads {"table": [rows...], ...} keeping the table order, so
// parents exported first are imported first.
func parseDump(data []byte) ([]dumpTable, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New(`a dump is a JSON object {"<table>": [rows...]}`)
	}
	var out []dumpTable
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		name, _ := tok.(string)
		var rows []map[string]any
		if err := dec.Decode(&rows); err != nil {
			return nil, fmt.Errorf("table %s: want a list of row objects: %v", name, err)
		}
		out = append(out, dumpTable{name: name, rows: rows})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	return out, nil
}

// importInput turns an exported row into a create: the reference id is
// kept; server-managed and relation attributes are dropped, and so are
// secret columns: an export shows them hashed or encrypted (passwords
// blank), and writing that form back would hash or encrypt it again.
func importInput(t *schema.Table, row map[string]any) resource.Input {
	in := resource.Input{Attributes: map[string]any{}}
	in.ID, _ = row[schema.ColReferenceID].(string)
	for k, v := range row {
		switch k {
		case "__type", schema.ColReferenceID, schema.ColPermission, schema.ColCreatedAt, schema.ColUpdatedAt, schema.ColID, schema.ColVersion:
			continue
		}
		if l, ok := t.Link(k); ok && (l.ToMany || l.Reverse) {
			continue
		}
		if col, ok := t.Column(k); ok {
			if ct, known := schema.LookupType(col.ColumnType); known && ct.Secret != schema.SecretNone {
				continue
			}
		}
		in.Attributes[k] = v
	}
	return in
}

// deleteVisible deletes every row of a table the caller may delete; rows
// it may only read are kept.
func deleteVisible(ctx context.Context, tx resource.Service, table string) error {
	var refs []string
	for page := 1; ; page++ {
		p, err := tx.List(ctx, table, resource.Query{PageNumber: page, PageSize: exportPageSize})
		if errors.Is(err, resource.ErrForbidden) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, r := range p.Rows {
			refs = append(refs, r.RefID)
		}
		if len(p.Rows) < exportPageSize || int64(page*exportPageSize) >= p.Total {
			break
		}
	}
	for _, ref := range refs {
		err := tx.Delete(ctx, table, ref)
		if err != nil && !errors.Is(err, resource.ErrForbidden) && !errors.Is(err, resource.ErrNotFound) {
			return err
		}
	}
	return nil
}
