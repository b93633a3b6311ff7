package dexie

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// list answers GET /{mode}/{table}: a JSON array of the objects the
// caller may read, filtered by property equality and realmId.
func (d Deps) list(c *call) error {
	t, err := dataTable(c.res, chi.URLParam(c.r, "table"))
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	wantRealm := q.Get(propRealmID)
	conds, none, err := filters(t, q)
	if err != nil {
		return err
	}
	if none {
		writeJSON(c.w, http.StatusOK, []map[string]any{})
		return nil
	}
	rs := newRealms(c.ctx, c.res)
	out := []map[string]any{}
	for n := 1; ; n++ {
		page, err := c.res.List(c.ctx, t.TableName, resource.Query{PageNumber: n, PageSize: resource.MaxPageSize, Conditions: conds})
		if err != nil {
			return err
		}
		if err := rs.prefetch(t, page.Rows); err != nil {
			return err
		}
		for _, row := range page.Rows {
			obj, err := rs.object(t, row)
			if err != nil {
				return err
			}
			if c.mode == modePublic && obj[propRealmID] != PublicRealm {
				continue
			}
			if wantRealm != "" && obj[propRealmID] != wantRealm {
				continue
			}
			out = append(out, obj)
		}
		if len(page.Rows) < resource.MaxPageSize {
			break
		}
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// filters turns query parameters other than realmId into equality
// conditions; an unknown property is a 400. id (the object's key on a
// table without a compound key) filters on the reference id; none is true
// when an id is no UUID, which no object has.
func filters(t *schema.Table, q map[string][]string) (conds []resource.Condition, none bool, err error) {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if k == propRealmID {
			continue
		}
		val := q[k][0]
		col, ok := columnOf(t, k)
		switch {
		case k == propID && keyColumns(t) == nil:
			id, err := uuid.Parse(val)
			if err != nil {
				none = true
				continue
			}
			col, val = schema.ColReferenceID, id.String()
		case !ok || hiddenAttrs[col]:
			return nil, false, badRequest(fmt.Sprintf("table %s has no property %q to filter on", t.TableName, k))
		}
		conds = append(conds, resource.Condition{Column: col, Operator: "is", Value: val})
	}
	return conds, none, nil
}

// get answers GET /{mode}/{table}/{key}: one object, or 404.
func (d Deps) get(c *call) error {
	t, k, err := tableAndKey(c)
	if err != nil {
		return err
	}
	row, ok, err := find(c.ctx, c.res, t, k)
	if err != nil {
		return err
	}
	if !ok {
		return notFound("no such object in " + t.TableName)
	}
	obj, err := newRealms(c.ctx, c.res).object(t, row)
	if err != nil {
		return err
	}
	if c.mode == modePublic && obj[propRealmID] != PublicRealm {
		return notFound("no such object in the public realm of " + t.TableName)
	}
	writeJSON(c.w, http.StatusOK, obj)
	return nil
}

func tableAndKey(c *call) (*schema.Table, key, error) {
	t, err := dataTable(c.res, chi.URLParam(c.r, "table"))
	if err != nil {
		return nil, key{}, err
	}
	raw, err := pathParam(c.r, "key")
	if err != nil {
		return nil, key{}, err
	}
	k, err := parseKey(t, raw)
	return t, k, err
}

// del answers DELETE /{mode}/{table}/{key}: 204, or 404 when the caller
// sees no such object (on /public: no such public object).
func (d Deps) del(c *call) error {
	t, k, err := tableAndKey(c)
	if err != nil {
		return err
	}
	return c.res.InTx(c.ctx, func(tx resource.Service) error {
		row, ok, err := find(c.ctx, tx, t, k)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("no such object in " + t.TableName)
		}
		if c.mode == modePublic {
			realm, err := newRealms(c.ctx, tx).realmOf(t, row, "")
			if err != nil {
				return err
			}
			if realm != PublicRealm {
				return notFound("no such object in the public realm of " + t.TableName)
			}
		}
		if err := tx.Delete(c.ctx, t.TableName, row.RefID); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// post answers POST /{mode}/{table}: upserts an array of objects (or one
// object) in one transaction and answers the stored objects.
func (d Deps) post(c *call) error {
	t, err := dataTable(c.res, chi.URLParam(c.r, "table"))
	if err != nil {
		return err
	}
	items, err := decodeObjects(c.w, c.r, d.MaxBody)
	if err != nil {
		return err
	}
	var out []map[string]any
	err = c.res.InTx(c.ctx, func(tx resource.Service) error {
		rs := newRealms(c.ctx, tx)
		for i, obj := range items {
			o, err := upsert(c, tx, rs, t, obj)
			if err != nil {
				return wrapIndex(i, err)
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// wrapIndex names the failing object in a client error.
func wrapIndex(i int, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = classify(err)
	}
	if ae == nil {
		return err
	}
	return &apiError{ae.Status, ae.Code, fmt.Sprintf("object %d: %s", i, ae.Message)}
}

// decodeObjects reads a JSON array of objects, or one object.
func decodeObjects(w http.ResponseWriter, r *http.Request, limit int64) ([]map[string]any, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, &apiError{http.StatusRequestEntityTooLarge, codeBadRequest, "the request body is too large"}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, badRequest("the body is not JSON: " + err.Error())
	}
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}, nil
	case []any:
		out := make([]map[string]any, len(x))
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, badRequest(fmt.Sprintf("element %d of the array is not an object", i))
			}
			out[i] = m
		}
		return out, nil
	}
	return nil, badRequest("the body must be a JSON object or an array of objects")
}
