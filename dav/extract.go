package dav

import (
	"context"
	"errors"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Rows written over JSON:API or GraphQL carry content but not always the
// columns DAV extracts from it. reextract brings them in line after the
// write (with system rights, as a follow-up write): the searchable
// columns, and a file name when the row has none, so the object shows up
// in its collection. A second pass finds nothing to change, so it stops.
func (h *Handler) reextract(c resource.Change) {
	if (c.Table != tableCalendar && c.Table != tableVCard) || c.Op == resource.OpDelete || c.Row == nil {
		return
	}
	if len(extractedColumns(c.Table, c.Row)) == 0 {
		return
	}
	go func() {
		h.follow.Lock()
		defer h.follow.Unlock()
		ctx := auth.WithPrincipal(context.Background(), auth.System())
		if err := h.d.Res().InTx(ctx, func(tx resource.Service) error {
			// The row as it is now: a later write may have changed it.
			row, err := tx.Get(ctx, c.Table, c.RefID, resource.Query{})
			if err != nil {
				return err
			}
			want := extractedColumns(c.Table, row.Attrs)
			if len(want) == 0 {
				return nil
			}
			_, err = tx.Update(ctx, c.Table, c.RefID, resource.Input{Attributes: want})
			return err
		}); err != nil && !errors.Is(err, resource.ErrNotFound) {
			h.d.Log.WarnContext(ctx, "re-extracting DAV columns failed", "table", c.Table, "ref", c.RefID, "err", err)
		}
	}()
}

// extractedColumns returns the columns of row that differ from what its
// content says; nil when the content is not valid or nothing differs.
func extractedColumns(table string, row map[string]any) map[string]any {
	content := []byte(str(row["content"]))
	want := map[string]any{}
	ext := ".ics"
	if table == tableVCard {
		ext = ".vcf"
		_, info, derr := parseVCard(content)
		if derr != nil {
			return nil
		}
		setIf(want, row, "uid", info.uid)
		setIf(want, row, "full_name", info.fullName)
		setIf(want, row, "emails", info.emails)
	} else {
		_, info, derr := parseICal(content)
		if derr != nil {
			return nil
		}
		setIf(want, row, "uid", info.uid)
		setIf(want, row, "summary", info.summary)
		setIf(want, row, "component", info.comp)
		if !sameTime(row["start_at"], info.start) {
			want["start_at"] = timeOrNil(info.start)
		}
		if !sameTime(row["end_at"], info.end) {
			want["end_at"] = timeOrNil(info.end)
		}
		if rec := row["recurring"]; (rec == int64(1) || rec == true) != info.recurring {
			want["recurring"] = info.recurring
		}
	}
	if str(row["file_name"]) == "" {
		if coll := str(row["collection_id"]); coll != "" {
			name := str(row["reference_id"]) + ext
			want["file_name"], want["rpath"] = name, "/"+coll+"/"+name
		}
	}
	return want
}

func setIf(want, row map[string]any, col, v string) {
	if str(row[col]) != v {
		want[col] = v
	}
}

func sameTime(v any, t *time.Time) bool {
	got, ok := v.(time.Time)
	if t == nil || !ok {
		return t == nil && (v == nil || !ok && str(v) == "")
	}
	return got.Unix() == t.Unix()
}
