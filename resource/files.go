package resource

import (
	"context"
	"encoding/json"
	"maps"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// FileHandler keeps the files of asset columns (a column whose
// ForeignKeyData.DataSource is "cloud_store", contract sidecars.md §7.2) in
// their store. StoreFiles decodes the file objects submitted for one column,
// writes them to the store and returns their metadata entries (name, type,
// path, md5, size, src), without the file contents. With dryRun it decodes
// and checks only. An error fails the write: the row is not written.
// ReadFiles returns the given entries of one column with each file's
// contents (base64) and reference_id, for reads with included_relations.
type FileHandler interface {
	StoreFiles(ctx context.Context, table string, col *schema.Column, val any, dryRun bool) ([]map[string]any, error)
	ReadFiles(ctx context.Context, table string, col *schema.Column, entries []map[string]any) ([]map[string]any, error)
}

// StoredFiles is the value of an asset attribute whose files are already
// in the store (the chunked upload API writes them first): only their
// metadata entries remain to be merged into the column. JSON input never
// decodes to this type, so only in-process callers can pass it.
type StoredFiles []map[string]any

// IsAssetColumn reports whether col keeps its files in a cloud store.
func IsAssetColumn(col *schema.Column) bool {
	return col != nil && col.IsForeignKey && col.ForeignKeyData.DataSource == "cloud_store"
}

// storeFiles writes the files of every asset attribute of in to the store
// before the write's transaction opens (an upload can take long; it must
// not hold the database), after checking that the caller may write at all,
// so a caller without permission cannot place files in a store. It returns
// a copy of in whose asset attributes hold StoredFiles. refID is "" on
// create.
func (s *svc) storeFiles(ctx context.Context, tableName, refID string, in Input) (Input, error) {
	if s.files == nil || len(in.Attributes) == 0 {
		return in, nil
	}
	t, err := table(s.Schema(), tableName)
	if err != nil {
		return in, nil // the write reports it
	}
	var out map[string]any
	for name, val := range in.Attributes {
		col, ok := t.Column(name)
		if !ok || !IsAssetColumn(col) {
			continue
		}
		if out == nil {
			if err := s.checkWrite(ctx, t, refID); err != nil {
				return in, err
			}
			out = maps.Clone(in.Attributes)
		}
		if _, done := val.(StoredFiles); done {
			continue
		}
		if val == nil {
			if refID != "" {
				delete(out, name) // as Daptin: null leaves an asset column as it is on update
			}
			continue
		}
		entries, err := s.files.StoreFiles(ctx, t.TableName, col, val, in.ValidateOnly)
		if err != nil {
			return in, err
		}
		out[name] = StoredFiles(entries)
	}
	if out != nil {
		in.Attributes = out
	}
	return in, nil
}

// checkWrite applies the table and row checks the write will apply again
// inside its transaction.
func (s *svc) checkWrite(ctx context.Context, t *schema.Table, refID string) error {
	if refID == "" {
		_, err := s.checkTable(ctx, t, auth.OpCreate)
		return err
	}
	if _, err := s.checkTable(ctx, t, auth.OpUpdate); err != nil {
		return err
	}
	old, err := s.load(ctx, t, refID)
	if err != nil {
		return err
	}
	return s.checkRow(ctx, t, old, auth.OpUpdate)
}

// mergeFiles turns StoredFiles attributes into the column's new JSON list:
// on update the row's current entries are kept and entries with the same
// name are replaced (PATCH merges by name); old is nil on create.
func mergeFiles(in Input, old *Row) Input {
	var out map[string]any
	for name, val := range in.Attributes {
		sf, ok := val.(StoredFiles)
		if !ok {
			continue
		}
		if out == nil {
			out = maps.Clone(in.Attributes)
		}
		var list []any
		if old != nil {
			list = fileEntries(old.Attrs[name])
		}
		for _, e := range sf {
			replaced := false
			for i, o := range list {
				if om, ok := o.(map[string]any); ok && om["name"] == e["name"] {
					list[i], replaced = e, true
				}
			}
			if !replaced {
				list = append(list, e)
			}
		}
		out[name] = list
	}
	if out != nil {
		in.Attributes = out
	}
	return in
}

// fileEntries reads the stored JSON list of an asset column.
func fileEntries(v any) []any {
	switch x := v.(type) {
	case []any:
		return append([]any(nil), x...)
	case string:
		var list []any
		if json.Unmarshal([]byte(x), &list) == nil {
			return list
		}
	case []byte:
		var list []any
		if json.Unmarshal(x, &list) == nil {
			return list
		}
	}
	return nil
}

// CheckRow loads a row and applies the row check of op for the caller.
func (s *svc) CheckRow(ctx context.Context, tableName, refID string, op auth.Op) (Row, error) {
	t, err := table(s.Schema(), tableName)
	if err != nil {
		return Row{}, err
	}
	r, err := s.load(ctx, t, refID)
	if err != nil {
		return Row{}, err
	}
	if err := s.checkRow(ctx, t, r, op); err != nil {
		return Row{}, err
	}
	return r, nil
}
