package bootstrap

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
)

// The world, action and smd rows mirror the schema. Bootstrap reads each of
// these tables once, compares every row with the values the schema gives it
// and writes only the rows that differ or are missing, so that a restart
// with an unchanged schema writes nothing.

// seedRow is one existing row: its id and its values in canonical form
// (fromDB of the column's storage kind).
type seedRow struct {
	id   int64
	vals map[string]any
}

// readRows returns id and cols of every row of table.
func (b *booter) readRows(ctx context.Context, table string, cols ...string) ([]seedRow, error) {
	kinds := make([]sqlval.Kind, len(cols))
	q := "SELECT " + b.d.Quote(schema.ColID)
	for i, c := range cols {
		sk, err := b.kind(table, c)
		if err != nil {
			return nil, err
		}
		kinds[i] = sk
		q += ", " + b.d.Quote(c)
	}
	rows, err := b.tx.QueryxContext(ctx, q+" FROM "+b.d.Quote(table))
	if err != nil {
		return nil, b.d.MapError(err)
	}
	defer rows.Close()
	var out []seedRow
	dest := make([]any, len(cols)+1)
	for rows.Next() {
		var id int64
		raw := make([]any, len(cols))
		dest[0] = &id
		for i := range raw {
			dest[i+1] = &raw[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, b.d.MapError(err)
		}
		vals := make(map[string]any, len(cols))
		for i, c := range cols {
			vals[c] = sqlval.FromDB(kinds[i], raw[i])
		}
		out = append(out, seedRow{id: id, vals: vals})
	}
	return out, b.d.MapError(rows.Err())
}

// kind is the storage kind of table.column.
func (b *booter) kind(table, column string) (sqlval.Kind, error) {
	t, ok := b.sc.Table(table)
	if !ok {
		return sqlval.String, fmt.Errorf("seed: no table %s", table)
	}
	col, ok := t.Column(column)
	if !ok {
		return sqlval.String, fmt.Errorf("seed: no column %s.%s", table, column)
	}
	return sqlval.KindOf(col.DataType), nil
}

// canonical is what the database would hand back for v once written to
// table.column, in fromDB form.
func (b *booter) canonical(table, column string, v any) (any, error) {
	sk, err := b.kind(table, column)
	if err != nil {
		return nil, err
	}
	cv, err := sqlval.ToDB(sk, v)
	if err != nil {
		return nil, err
	}
	return sqlval.FromDB(sk, cv), nil
}

// holds reports whether row already has every value of vals.
func (b *booter) holds(table string, row seedRow, vals map[string]any) (bool, error) {
	for k, v := range vals {
		want, err := b.canonical(table, k, v)
		if err != nil {
			return false, err
		}
		if !sameValue(row.vals[k], want) {
			return false, nil
		}
	}
	return true, nil
}

// remember records vals as the row's values (after an insert or update), so
// a second definition with the same key compares against what was written.
func (b *booter) remember(table string, id int64, vals map[string]any) (seedRow, error) {
	r := seedRow{id: id, vals: make(map[string]any, len(vals))}
	for k, v := range vals {
		cv, err := b.canonical(table, k, v)
		if err != nil {
			return r, err
		}
		r.vals[k] = cv
	}
	return r, nil
}

// upsert updates row when it differs from vals, or inserts insertVals (a
// superset of vals) with perm when there is no row. It returns the row as
// it now stands.
func (b *booter) upsert(ctx context.Context, table string, row *seedRow, vals, insertVals map[string]any, perm int64) (seedRow, error) {
	if row != nil {
		same, err := b.holds(table, *row, vals)
		if err != nil || same {
			return *row, err
		}
		if err := b.update(ctx, table, row.id, vals); err != nil {
			return *row, err
		}
		return b.remember(table, row.id, insertVals)
	}
	id, err := b.insert(ctx, table, insertVals, perm, 0)
	if err != nil {
		return seedRow{}, err
	}
	return b.remember(table, id, insertVals)
}

// sameValue compares two canonical values.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case string, int64, float64, bool:
		return a == b
	}
	return false
}

// worlds keeps one world row per table; existing rows keep their
// permission and stored DefaultPermission.
func (b *booter) worlds(ctx context.Context) error {
	have, err := b.readRows(ctx, schema.TableWorld, "table_name", "world_schema_json", "is_top_level", "is_hidden",
		"is_join_table", "is_state_tracking_enabled", "default_order", "icon")
	if err != nil {
		return err
	}
	byName := make(map[string]seedRow, len(have))
	for _, r := range have {
		if name, ok := r.vals["table_name"].(string); ok {
			if _, dup := byName[name]; !dup {
				byName[name] = r
			}
		}
	}
	// Actions find their world row here, also rows of tables the schema
	// no longer has.
	b.worldK = make(map[string]int64, len(byName)+len(b.sc.Tables))
	for name, r := range byName {
		b.worldK[name] = r.id
	}
	for _, t := range b.sc.Tables {
		var row *seedRow
		if r, ok := byName[t.TableName]; ok {
			row = &r
		}
		js, err := b.worldJSON(t, row)
		if err != nil {
			return err
		}
		vals := map[string]any{
			"is_top_level": t.IsTopLevel, "is_hidden": t.IsHidden,
			"is_join_table": t.IsJoinTable, "is_state_tracking_enabled": t.IsStateTrackingEnabled,
			"default_order": t.DefaultOrder, "icon": t.Icon,
		}
		if same, err := b.holdsJSON(schema.TableWorld, row, vals, "world_schema_json", js); err != nil || same {
			if err != nil {
				return err
			}
			b.worldK[t.TableName] = row.id
			continue
		}
		vals["world_schema_json"] = string(js)
		perm := b.mode
		if t.ExplicitPermission {
			perm = t.Permission
		} else if schema.IsAuditTableName(t.TableName) && b.mode != int64(auth.AllowAll) {
			perm = int64(auth.AuditTableGate)
		}
		ins := withValue(vals, "table_name", t.TableName)
		now, err := b.upsert(ctx, schema.TableWorld, row, vals, ins, perm)
		if err != nil {
			return err
		}
		byName[t.TableName] = now
		b.worldK[t.TableName] = now.id
	}
	access := map[int64]accessSpec{}
	for _, t := range b.sc.Tables {
		if len(t.AccessGroups) > 0 {
			access[b.worldK[t.TableName]] = accessSpec{t.TableName, t.AccessGroups}
		}
	}
	return b.accessLinks(ctx, schema.TableWorld, access)
}

// worldJSON is the world_schema_json of t: the table with the
// DefaultPermission its rows get. An explicit one comes from the schema;
// otherwise an existing row keeps the one it stores, and a new row gets the
// instance mode (the audit default for audit tables).
func (b *booter) worldJSON(t *schema.Table, row *seedRow) ([]byte, error) {
	def := b.mode
	if schema.IsAuditTableName(t.TableName) {
		def = int64(auth.AuditRowDefault)
	}
	if t.ExplicitDefaultPermission {
		def = t.DefaultPermission
	}
	var stored string
	if row != nil {
		stored, _ = row.vals["world_schema_json"].(string)
	}
	doc := *t
	if row != nil && !t.ExplicitDefaultPermission {
		// Fast path: a stored document that this code wrote, unchanged
		// but for its DefaultPermission, is found without decoding it.
		if n, ok := scanDefaultPermission(stored); ok {
			doc.DefaultPermission = n
			if js, err := b.encode(doc); err != nil || string(js) == stored {
				return js, err
			}
		}
		var meta struct{ DefaultPermission *int64 }
		if err := json.Unmarshal([]byte(stored), &meta); err == nil && meta.DefaultPermission != nil {
			def = *meta.DefaultPermission
		}
	}
	doc.DefaultPermission = def
	return b.encode(doc)
}

// encode is json.Marshal into one buffer reused for every document, so
// that comparing ~90 unchanged documents with the stored ones allocates
// nothing. The result is valid until the next call.
func (b *booter) encode(v any) ([]byte, error) {
	if b.enc == nil {
		b.enc = json.NewEncoder(&b.buf)
	}
	b.buf.Reset()
	if err := b.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.buf.Bytes(), []byte("\n")), nil
}

// holdsJSON reports whether row exists, holds vals and holds the JSON
// document js in column col.
func (b *booter) holdsJSON(table string, row *seedRow, vals map[string]any, col string, js []byte) (bool, error) {
	if row == nil {
		return false, nil
	}
	if stored, _ := row.vals[col].(string); stored != string(js) {
		return false, nil
	}
	return b.holds(table, *row, vals)
}

// scanDefaultPermission finds the first "DefaultPermission": number in a
// stored world document without decoding it. The caller checks the guess:
// it is right when the document re-encodes to the same bytes.
func scanDefaultPermission(js string) (int64, bool) {
	const key = `"DefaultPermission":`
	i := strings.Index(js, key)
	if i < 0 {
		return 0, false
	}
	rest := js[i+len(key):]
	end := strings.IndexAny(rest, ",}")
	if end < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(rest[:end], 10, 64)
	return n, err == nil
}

// withValue returns a copy of vals with k set to v.
func withValue(vals map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(vals)+1)
	for kk, vv := range vals {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// actions keeps one action row per action definition.
func (b *booter) actions(ctx context.Context) error {
	have, err := b.readRows(ctx, schema.TableAction, "action_name", "world_id", "label", "instance_optional", "action_schema", schema.ColPermission)
	if err != nil {
		return err
	}
	key := func(name string, wid int64) string { return name + "\x00" + strconv.FormatInt(wid, 10) }
	byKey := make(map[string]seedRow, len(have))
	for _, r := range have {
		name, ok1 := r.vals["action_name"].(string)
		wid, ok2 := r.vals["world_id"].(int64)
		if _, dup := byKey[key(name, wid)]; ok1 && ok2 && !dup {
			byKey[key(name, wid)] = r
		}
	}
	access := map[int64]accessSpec{}
	for _, a := range b.sc.Actions {
		wid := b.worldK[a.OnType]
		js, err := b.encode(a)
		if err != nil {
			return err
		}
		vals := map[string]any{"label": a.Label, "instance_optional": a.InstanceOptional}
		// A permission the schema gives is kept in step on every start
		// (as Daptin); without one a new row gets allow-all and an existing
		// row keeps what it has. An explicit 0 stays 0: nobody but the
		// groups in AccessGroups (and administrators).
		perm := int64(auth.AllowAll)
		if a.ExplicitPermission || a.Permission != 0 {
			perm = a.Permission
			vals[schema.ColPermission] = perm
		}
		var row *seedRow
		if r, ok := byKey[key(a.Name, wid)]; ok {
			row = &r
		}
		same, err := b.holdsJSON(schema.TableAction, row, vals, "action_schema", js)
		if err != nil {
			return err
		}
		if !same {
			vals["action_schema"] = string(js)
			ins := withValue(withValue(vals, "action_name", a.Name), "world_id", wid)
			delete(ins, schema.ColPermission) // insert sets it from perm
			now, err := b.upsert(ctx, schema.TableAction, row, vals, ins, perm)
			if err != nil {
				return err
			}
			byKey[key(a.Name, wid)] = now
			row = &now
		}
		if len(a.AccessGroups) > 0 {
			access[row.id] = accessSpec{a.OnType + "/" + a.Name, a.AccessGroups}
		}
	}
	return b.accessLinks(ctx, schema.TableAction, access)
}

// machines keeps one smd row per state machine description.
func (b *booter) machines(ctx context.Context) error {
	have, err := b.readRows(ctx, schema.TableSMD, "name", "label", "initial_state", "events")
	if err != nil {
		return err
	}
	byName := make(map[string]seedRow, len(have))
	for _, r := range have {
		if name, ok := r.vals["name"].(string); ok {
			if _, dup := byName[name]; !dup {
				byName[name] = r
			}
		}
	}
	for _, m := range b.sc.StateMachines {
		events, err := json.Marshal(m.Events)
		if err != nil {
			return err
		}
		vals := map[string]any{"label": m.Label, "initial_state": m.InitialState, "events": string(events)}
		var row *seedRow
		if r, ok := byName[m.Name]; ok {
			row = &r
		}
		now, err := b.upsert(ctx, schema.TableSMD, row, vals, withValue(vals, "name", m.Name), b.mode)
		if err != nil {
			return err
		}
		byName[m.Name] = now
	}
	return nil
}
