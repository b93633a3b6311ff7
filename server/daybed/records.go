package daybed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/apiary/apiary/resource"
)

// validateOnly reports whether the request asks to validate and store
// nothing (a Validate-Only header that is not "false" or "0").
func validateOnly(r *http.Request) bool {
	v, ok := r.Header["Validate-Only"]
	if !ok {
		return false
	}
	s := strings.ToLower(strings.TrimSpace(strings.Join(v, "")))
	return s != "false" && s != "0"
}

// checkRecord validates a record against a definition; partial checks
// only the fields given (PATCH).
func checkRecord(def definition, rec map[string]any, partial bool) (map[string]any, error) {
	known := map[string]field{}
	var errs []errorEntry
	attrs := map[string]any{}
	for _, f := range def.Fields {
		known[f.Name] = f
		ft, _ := lookupType(f.Type)
		if ft.ColumnType == "" {
			continue
		}
		v, present := rec[f.Name]
		if !present || v == nil {
			if !partial && f.required() {
				errs = append(errs, errorEntry{"body", f.Name, "Required"})
			}
			if present || !partial {
				attrs[f.Name] = nil
			}
			continue
		}
		if msg := ft.check(f, v); msg != "" {
			errs = append(errs, errorEntry{"body", f.Name, msg})
			continue
		}
		if ft.ColumnType == "json" {
			b, _ := json.Marshal(v)
			v = string(b)
		}
		attrs[f.Name] = v
	}
	names := make([]string, 0, len(rec))
	for k := range rec {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, ok := known[k]; !ok && k != "id" {
			errs = append(errs, errorEntry{"body", k, "Unrecognized field"})
		}
	}
	if len(errs) > 0 {
		return nil, validationErrors(errs)
	}
	return attrs, nil
}

// recordOut turns a row into a Daybed record: its id and field values.
func recordOut(def definition, row resource.Row) map[string]any {
	out := map[string]any{"id": row.RefID}
	for _, f := range def.Fields {
		ft, _ := lookupType(f.Type)
		if ft.ColumnType == "" {
			continue
		}
		v := daybedValue(ft, row.Attrs[f.Name])
		if v != nil {
			out[f.Name] = v
		}
	}
	return out
}

// daybedValue turns a column value back into the JSON a Daybed client
// sent: booleans, decoded JSON, dates as yyyy-mm-dd.
func daybedValue(ft fieldType, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if ft.ColumnType == "json" {
			var parsed any
			if json.Unmarshal([]byte(x), &parsed) == nil {
				return parsed
			}
		}
	case time.Time:
		if ft.Name == "date" {
			return x.UTC().Format("2006-01-02")
		}
		return x.UTC().Format(time.RFC3339)
	}
	if ft.Name == "boolean" {
		return resource.Truthy(v)
	}
	return v
}

// records lists every record the caller of ctx may read.
func (h *handler) records(q *req, name string, def definition, ctx context.Context) ([]map[string]any, error) {
	out := []map[string]any{}
	for n := 1; ; n++ {
		page, err := q.res.List(ctx, name, resource.Query{PageNumber: n, PageSize: resource.MaxPageSize})
		if errors.Is(err, resource.ErrForbidden) {
			return nil, denied(q)
		}
		if err != nil {
			return nil, err
		}
		for _, row := range page.Rows {
			out = append(out, recordOut(def, row))
		}
		if len(page.Rows) < resource.MaxPageSize {
			return out, nil
		}
	}
}

// recordBody decodes a record body.
func recordBody(q *req) (map[string]any, error) {
	var rec map[string]any
	if err := json.Unmarshal(q.body, &rec); err != nil || rec == nil {
		return nil, badRequest("body", "", "the body must be a JSON object of field values")
	}
	return rec, nil
}

// storeRecord validates and stores one record (create when ref is "",
// else update); with Validate-Only nothing is stored.
func (h *handler) storeRecord(q *req, name string, def definition, ref string, rec map[string]any, partial bool) (resource.Row, error) {
	attrs, err := checkRecord(def, rec, partial)
	if err != nil {
		return resource.Row{}, err
	}
	in := resource.Input{Attributes: attrs, ValidateOnly: validateOnly(q.r)}
	var row resource.Row
	if ref == "" {
		row, err = q.res.Create(q.ctx, name, in)
	} else {
		row, err = q.res.Update(q.ctx, name, ref, in)
	}
	if errors.Is(err, resource.ErrForbidden) {
		return row, denied(q)
	}
	return row, err
}

// listRecords answers GET /v1/models/{model}/records.
func (h *handler) listRecords(q *req) error {
	_, recs, err := h.modelRecords(q)
	if err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"records": recs})
	return nil
}

// modelRecords reads the model of the path and the records the caller may
// read (GET and DELETE of the whole collection).
func (h *handler) modelRecords(q *req) (name string, recs []map[string]any, err error) {
	name, _, def, err := h.model(q)
	if err != nil {
		return "", nil, err
	}
	recs, err = h.records(q, name, def, q.ctx)
	return name, recs, err
}

// postRecord answers POST /v1/models/{model}/records: 201, Location and
// {"id": ...}; with Validate-Only, 200 and the validated record.
func (h *handler) postRecord(q *req) error {
	name, _, def, err := h.model(q)
	if err != nil {
		return err
	}
	rec, err := recordBody(q)
	if err != nil {
		return err
	}
	row, err := h.storeRecord(q, name, def, "", rec, false)
	if err != nil {
		return err
	}
	if validateOnly(q.r) {
		writeJSON(q.w, http.StatusOK, rec)
		return nil
	}
	q.w.Header().Set("Location", location(q.r, name, row.RefID))
	writeJSON(q.w, http.StatusCreated, map[string]string{"id": row.RefID})
	return nil
}

func location(r *http.Request, model, id string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/v1/models/%s/records/%s", scheme, r.Host, model, id)
}

// recordRef reads the record id of the path.
func recordRef(q *req) (string, error) {
	id := chi.URLParam(q.r, "id")
	if _, err := uuid.Parse(id); err != nil {
		return "", notFound("id", fmt.Sprintf("record %q not found", id))
	}
	return strings.ToLower(id), nil
}

// getRecord answers GET /v1/models/{model}/records/{id}.
func (h *handler) getRecord(q *req) error {
	name, def, ref, err := h.recordTarget(q)
	if err != nil {
		return err
	}
	row, err := q.res.Get(q.ctx, name, ref, resource.Query{})
	if err != nil {
		return recordError(q, ref, err)
	}
	writeJSON(q.w, http.StatusOK, recordOut(def, row))
	return nil
}

// recordError answers a missing record 404 and a refused one 401/403.
func recordError(q *req, ref string, err error) error {
	switch {
	case errors.Is(err, resource.ErrNotFound):
		return notFound("id", fmt.Sprintf("record %q not found", ref))
	case errors.Is(err, resource.ErrForbidden):
		return denied(q)
	}
	return err
}

// recordWrite reads what PUT and PATCH of one record both need: the
// model's table and definition, the record id and the body.
func (h *handler) recordWrite(q *req) (name string, def definition, ref string, rec map[string]any, err error) {
	if name, def, ref, err = h.recordTarget(q); err != nil {
		return
	}
	rec, err = recordBody(q)
	return
}

// recordTarget reads the model and the record id of the path (GET, PUT,
// PATCH and DELETE of one record).
func (h *handler) recordTarget(q *req) (name string, def definition, ref string, err error) {
	if name, _, def, err = h.model(q); err != nil {
		return
	}
	ref, err = recordRef(q)
	return
}

// putRecord answers PUT /v1/models/{model}/records/{id}: replaces the
// record, or creates it with that id.
func (h *handler) putRecord(q *req) error {
	name, def, ref, rec, err := h.recordWrite(q)
	if err != nil {
		return err
	}
	_, err = q.res.Get(q.ctx, name, ref, resource.Query{})
	switch {
	case errors.Is(err, resource.ErrNotFound):
		attrs, err := checkRecord(def, rec, false)
		if err != nil {
			return err
		}
		if _, err := q.res.Create(q.ctx, name, resource.Input{ID: ref, Attributes: attrs, ValidateOnly: validateOnly(q.r)}); err != nil {
			return recordError(q, ref, err)
		}
	case err != nil:
		return recordError(q, ref, err)
	default:
		if _, err := h.storeRecord(q, name, def, ref, rec, false); err != nil {
			return recordError(q, ref, err)
		}
	}
	writeJSON(q.w, http.StatusOK, map[string]string{"id": ref})
	return nil
}

// patchRecord answers PATCH /v1/models/{model}/records/{id}: updates the
// fields given and answers the whole record.
func (h *handler) patchRecord(q *req) error {
	name, def, ref, rec, err := h.recordWrite(q)
	if err != nil {
		return err
	}
	row, err := h.storeRecord(q, name, def, ref, rec, true)
	if err != nil {
		return recordError(q, ref, err)
	}
	writeJSON(q.w, http.StatusOK, recordOut(def, row))
	return nil
}

// deleteRecord answers DELETE /v1/models/{model}/records/{id}.
func (h *handler) deleteRecord(q *req) error {
	name, _, ref, err := h.recordTarget(q)
	if err != nil {
		return err
	}
	if err := q.res.Delete(q.ctx, name, ref); err != nil {
		return recordError(q, ref, err)
	}
	writeJSON(q.w, http.StatusOK, map[string]string{"id": ref})
	return nil
}

// deleteRecords answers DELETE /v1/models/{model}/records: deletes every
// record the caller may delete, in one transaction.
func (h *handler) deleteRecords(q *req) error {
	name, recs, err := h.modelRecords(q)
	if err != nil {
		return err
	}
	err = q.res.InTx(q.ctx, func(tx resource.Service) error {
		for _, r := range recs {
			if err := tx.Delete(q.ctx, name, r["id"].(string)); err != nil {
				return recordError(q, r["id"].(string), err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"records": recs})
	return nil
}
