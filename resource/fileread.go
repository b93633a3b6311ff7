package resource

import (
	"context"
	"strings"

	"github.com/apiary/apiary/schema"
)

// yjsType is the type of the collaborative-document state entries that
// reads hide unless included_relations names it.
const yjsType = "x-crdt/yjs"

// presentFiles turns the asset columns of rows into what Daptin answers
// (contract sidecars.md §7.3): a list of entries, each with src, without
// x-crdt/yjs entries unless included; with included_relations=<column>
// (or *) every entry also carries its contents (base64) and reference_id,
// and is added to included with the column type as its type. It returns
// the include names that are left for relations.
func (s *svc) presentFiles(ctx context.Context, t *schema.Table, rows []Row, names []string) ([]string, []Row, error) {
	want := map[string]bool{}
	var rest []string
	for _, raw := range names {
		n := strings.TrimSpace(raw)
		want[n] = true
		if col, ok := t.Column(n); ok && IsAssetColumn(col) || n == yjsType {
			continue
		}
		rest = append(rest, raw)
	}
	var included []Row
	for i := range t.Columns {
		col := &t.Columns[i]
		if !IsAssetColumn(col) {
			continue
		}
		for ri := range rows {
			v, ok := rows[ri].Attrs[col.ColumnName]
			if !ok || v == nil {
				continue
			}
			list := visibleEntries(v, want[yjsType])
			if (want[col.ColumnName] || want["*"]) && s.files != nil {
				full, err := s.files.ReadFiles(ctx, t.TableName, col, list)
				if err != nil {
					return nil, nil, err
				}
				list = full
				for _, e := range full {
					name, _ := e["name"].(string)
					attrs := map[string]any{"__type": col.ColumnType}
					for k, v := range e {
						attrs[k] = v
					}
					included = append(included, Row{Table: col.ColumnType, RefID: name, Attrs: attrs})
				}
			}
			out := make([]any, len(list))
			for i, e := range list {
				out[i] = e
			}
			rows[ri].Attrs[col.ColumnName] = out
		}
	}
	return rest, included, nil
}

// includeWithFiles presents the asset columns of page's rows and embeds
// the named relations; file entries join the included rows.
func (s *svc) includeWithFiles(ctx context.Context, sc *schema.Schema, t *schema.Table, page *Page, names []string) error {
	rest, files, err := s.presentFiles(ctx, t, page.Rows, names)
	if err != nil {
		return err
	}
	if err := s.include(ctx, sc, t, page, rest); err != nil {
		return err
	}
	page.Included = append(page.Included, files...)
	return nil
}

// visibleEntries reads a stored asset column list, dropping yjs entries
// unless wanted and giving every entry its src (path/name).
func visibleEntries(v any, yjs bool) []map[string]any {
	var out []map[string]any
	for _, e := range fileEntries(v) {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if m["type"] == yjsType && !yjs {
			continue
		}
		name, _ := m["name"].(string)
		dir, _ := m["path"].(string)
		if dir != "" {
			m["src"] = dir + "/" + name
		} else if name != "" {
			m["src"] = name
		}
		out = append(out, m)
	}
	return out
}
