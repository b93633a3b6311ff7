package dexie

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Object properties the dialect owns.
const (
	propID      = "id"
	propRealmID = "realmId"
	propOwner   = "owner"
)

// hiddenAttrs are row attributes an object does not show.
var hiddenAttrs = map[string]bool{"__type": true, schema.ColReferenceID: true, schema.ColPermission: true, schema.ColOwner: true}

// dataTable returns a user table by name; system tables are not Dexie
// tables.
func dataTable(res resource.Service, name string) (*schema.Table, error) {
	t, ok := res.Schema().Table(name)
	if !ok {
		// Schemas may declare a Dexie table as todoItems; it is stored as todo_items.
		t, ok = res.Schema().Table(schema.SnakeCase(name))
	}
	if !ok || t.System || t.IsJoinTable {
		return nil, notFound("no table " + name)
	}
	return t, nil
}

// keyColumns returns the properties of the table's compound key, or nil
// when the key is the reference id.
func keyColumns(t *schema.Table) []string {
	if len(t.CompositeKeys) == 1 && len(t.CompositeKeys[0]) > 0 {
		out := make([]string, len(t.CompositeKeys[0]))
		for i, c := range t.CompositeKeys[0] {
			out[i] = propName(t, c)
		}
		return out
	}
	return nil
}

// propName is the property name of a column in objects: the Name the
// schema declared (todoListId), else the column name (todo_list_id).
func propName(t *schema.Table, col string) string {
	if c, ok := columnOf(t, col); ok {
		if cc, _ := t.Column(c); cc.Name != "" {
			return cc.Name
		}
		return c
	}
	return col
}

// columnOf maps an object property (declared Name or column name) onto
// its column.
func columnOf(t *schema.Table, prop string) (string, bool) {
	if c, ok := t.Column(prop); ok {
		return c.ColumnName, true
	}
	for _, c := range t.Columns {
		if c.Name == prop {
			return c.ColumnName, true
		}
	}
	if c, ok := t.Column(schema.SnakeCase(prop)); ok {
		return c.ColumnName, true
	}
	return "", false
}

// key is a parsed primary key: a reference id or compound key values.
type key struct {
	ref    string
	values []any
}

// parseKey reads a key from the path: a UUID, or a JSON array such as
// ["Bob",42] for a compound key.
func parseKey(t *schema.Table, raw string) (key, error) {
	cols := keyColumns(t)
	if cols == nil {
		if _, err := uuid.Parse(raw); err != nil {
			return key{}, badRequest(fmt.Sprintf("%q is not a key of %s: ids are UUIDs", raw, t.TableName))
		}
		return key{ref: strings.ToLower(raw)}, nil
	}
	var vals []any
	if err := json.Unmarshal([]byte(raw), &vals); err != nil || len(vals) != len(cols) {
		return key{}, badRequest(fmt.Sprintf("the key of %s is compound: give a JSON array of %d values (%s)", t.TableName, len(cols), strings.Join(cols, ", ")))
	}
	return key{values: vals}, nil
}

// objectKey reads the key of a posted object; ok is false when it has none.
func objectKey(t *schema.Table, obj map[string]any) (key, bool, error) {
	cols := keyColumns(t)
	if cols == nil {
		v, present := obj[propID]
		if !present || v == nil {
			return key{}, false, nil
		}
		s, _ := v.(string)
		k, err := parseKey(t, s)
		return k, err == nil, err
	}
	vals := make([]any, len(cols))
	for i, c := range cols {
		v, present := obj[c]
		if !present || v == nil {
			return key{}, false, badRequest("every object of " + t.TableName + " needs its key property " + c)
		}
		vals[i] = v
	}
	return key{values: vals}, true, nil
}

// find loads the row with key k as the caller of ctx sees it; found is
// false when there is none.
func find(ctx context.Context, res resource.Service, t *schema.Table, k key) (resource.Row, bool, error) {
	if k.ref != "" {
		row, err := res.Get(ctx, t.TableName, k.ref, resource.Query{})
		if errors.Is(err, resource.ErrNotFound) || errors.Is(err, resource.ErrForbidden) {
			return resource.Row{}, false, nil
		}
		return row, err == nil, err
	}
	var conds []resource.Condition
	for i, p := range keyColumns(t) {
		c, _ := columnOf(t, p)
		conds = append(conds, resource.Condition{Column: c, Operator: "is", Value: k.values[i]})
	}
	page, err := res.List(ctx, t.TableName, resource.Query{PageSize: 2, Conditions: conds})
	if err != nil || len(page.Rows) == 0 {
		return resource.Row{}, false, err
	}
	return page.Rows[0], true, nil
}

// systemCtx acts with administrator rights, for realm bookkeeping the
// dialect has already authorised.
func systemCtx(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// realms computes the realm and owner of rows, caching owner e-mails.
type realms struct {
	ctx    context.Context // system
	res    resource.Service
	emails map[string]string
	groups map[string]string // row reference id -> first shared group, for prefetched rows ("" = none)
}

func newRealms(ctx context.Context, res resource.Service) *realms {
	return &realms{ctx: systemCtx(ctx), res: res, emails: map[string]string{}, groups: map[string]string{}}
}

// prefetch loads the group links of many rows of t in one query, so
// realmOf needs no query per row.
func (rs *realms) prefetch(t *schema.Table, rows []resource.Row) error {
	gl, ok := t.GroupLink()
	if !ok || len(rows) < 2 {
		return nil
	}
	refs := make([]any, len(rows))
	for i, r := range rows {
		refs[i] = r.RefID
		rs.groups[r.RefID] = ""
	}
	page, err := rs.res.List(rs.ctx, gl.JoinTable, resource.Query{PageSize: resource.MaxPageSize,
		Sort:       []resource.SortKey{{Column: schema.ColID}},
		Conditions: []resource.Condition{{Column: gl.JoinSelf, Operator: "in", Value: refs}}})
	if err != nil {
		return err
	}
	if len(page.Rows) == resource.MaxPageSize {
		clear(rs.groups) // too many links to trust one page: ask row by row
		return nil
	}
	for _, l := range page.Rows {
		row, _ := l.Attrs[gl.JoinSelf].(string)
		g, _ := l.Attrs[gl.JoinOther].(string)
		if rs.groups[row] == "" {
			rs.groups[row] = g
		}
	}
	return nil
}

// ownerEmail returns the e-mail of the owner of row, "" when none.
func (rs *realms) ownerEmail(row resource.Row) (string, error) {
	ref, _ := row.Attrs[schema.ColOwner].(string)
	if ref == "" {
		return "", nil
	}
	if e, ok := rs.emails[ref]; ok {
		return e, nil
	}
	u, err := rs.res.Get(rs.ctx, schema.TableUser, ref, resource.Query{Fields: []string{"email"}})
	if errors.Is(err, resource.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	e, _ := u.Attrs["email"].(string)
	rs.emails[ref] = e
	return e, nil
}

// realmOf returns the realm of a row: its first shared group, else the
// public realm when guests may read it, else its owner's private realm.
func (rs *realms) realmOf(t *schema.Table, row resource.Row, owner string) (string, error) {
	if g, ok := rs.groups[row.RefID]; ok {
		if g != "" {
			return g, nil
		}
	} else if _, ok := t.GroupLink(); ok {
		refs, err := rs.res.Linkage(rs.ctx, t.TableName, row.RefID, schema.ColUsergroup)
		if err != nil {
			return "", err
		}
		if len(refs) > 0 {
			return refs[0].ID, nil
		}
	}
	if auth.Permission(permOf(row)).Has(auth.GuestRead) {
		return PublicRealm, nil
	}
	return owner, nil
}

// object turns a row into a Dexie object.
func (rs *realms) object(t *schema.Table, row resource.Row) (map[string]any, error) {
	owner, err := rs.ownerEmail(row)
	if err != nil {
		return nil, err
	}
	realm, err := rs.realmOf(t, row, owner)
	if err != nil {
		return nil, err
	}
	obj := make(map[string]any, len(row.Attrs)+2)
	for k, v := range row.Attrs {
		if !hiddenAttrs[k] {
			obj[propName(t, k)] = plainValue(t, k, v)
		}
	}
	if keyColumns(t) == nil {
		obj[propID] = row.RefID
	}
	obj[propRealmID] = nilIfEmpty(realm)
	obj[propOwner] = nilIfEmpty(owner)
	return obj, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// permOf reads a row's permission attribute.
func permOf(row resource.Row) int64 {
	switch v := row.Attrs[schema.ColPermission].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}

// plainValue shows truefalse columns as JSON booleans (Dexie objects are
// plain JavaScript values; JSON:API keeps Daptin's 0 and 1).
func plainValue(t *schema.Table, name string, v any) any {
	c, ok := t.Column(name)
	if !ok || c.ColumnType != "truefalse" || v == nil {
		return v
	}
	return resource.Truthy(v)
}
