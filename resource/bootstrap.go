package resource

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

func nowUTC() time.Time { return time.Now().UTC() }

// BootstrapOptions are the inputs of Bootstrap.
type BootstrapOptions struct {
	LocalStoragePath string
}

// Bootstrap seeds what a fresh instance has (contract core.md §1.4) and
// brings world, action and smd rows in step with the schema. It is
// idempotent and runs in one transaction after migrations.
func Bootstrap(ctx context.Context, d *db.DB, sc *schema.Schema, o BootstrapOptions) error {
	b := &booter{d: d.Dialect, sc: sc, o: o, now: nowUTC()}
	return d.InTx(ctx, func(tx *sqlx.Tx) error {
		b.tx = tx
		for key, val := range configDefaults(o.LocalStoragePath) {
			if err := setConfig(ctx, tx, d.Dialect, ConfigBackend, key, val, false); err != nil {
				return fmt.Errorf("config %s: %w", key, err)
			}
		}
		users, err := b.count(ctx, schema.TableUser)
		if err != nil {
			return err
		}
		// Fewer than two users (none, or only the guest): everything is open
		// until someone becomes administrator (contract §4.4).
		b.mode = int64(auth.DefaultPermission)
		if users < 2 {
			b.mode = int64(auth.AllowAll)
		}
		steps := []func(context.Context) error{b.groups, b.guest, b.worlds, b.actions, b.machines}
		for _, step := range steps {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

type booter struct {
	d    db.Dialect
	tx   *sqlx.Tx
	sc   *schema.Schema
	o    BootstrapOptions
	now  time.Time
	mode int64
}

func (b *booter) count(ctx context.Context, table string) (int64, error) {
	var n int64
	err := b.tx.QueryRowxContext(ctx, "SELECT COUNT(*) FROM "+b.d.Quote(table)).Scan(&n)
	return n, b.d.MapError(err)
}

// idBy returns the id of the row whose column equals val, or 0.
func (b *booter) idBy(ctx context.Context, table, column string, val any) (int64, error) {
	var id int64
	q := "SELECT " + b.d.Quote(schema.ColID) + " FROM " + b.d.Quote(table) + " WHERE " + b.d.Quote(column) + " = ?"
	err := b.tx.QueryRowxContext(ctx, b.d.Rebind(q), val).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, b.d.MapError(err)
}

// insert adds a row with standard columns filled.
func (b *booter) insert(ctx context.Context, table string, vals map[string]any, perm int64, owner int64) (int64, error) {
	_, ref := newRefID()
	cols := []string{schema.ColReferenceID, schema.ColPermission, schema.ColCreatedAt, schema.ColUpdatedAt, schema.ColVersion}
	args := []any{ref, perm, b.now, b.now, int64(1)}
	if owner != 0 {
		cols, args = append(cols, schema.ColOwner), append(args, owner)
	}
	for k, v := range vals {
		cv, err := b.typed(table, k, v)
		if err != nil {
			return 0, err
		}
		cols, args = append(cols, k), append(args, cv)
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = b.d.Quote(c)
	}
	q := "INSERT INTO " + b.d.Quote(table) + " (" + joinComma(quoted) + ") VALUES (" + placeholders(len(cols)) + ")"
	id, err := b.d.InsertReturningID(ctx, b.tx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("seed %s: %w", table, b.d.MapError(err))
	}
	return id, nil
}

// typed converts a seed value to the column's storage type.
func (b *booter) typed(table, column string, v any) (any, error) {
	t, ok := b.sc.Table(table)
	if !ok {
		return nil, fmt.Errorf("seed: no table %s", table)
	}
	col, ok := t.Column(column)
	if !ok {
		return nil, fmt.Errorf("seed: no column %s.%s", table, column)
	}
	return toDB(storageKindOf(col.DataType), v)
}

func (b *booter) groups(ctx context.Context) error {
	for _, name := range []string{schema.GroupGuests, schema.GroupAdmins, schema.GroupUsers} {
		id, err := b.idBy(ctx, schema.TableUsergroup, "name", name)
		if err != nil || id != 0 {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := b.insert(ctx, schema.TableUsergroup, map[string]any{"name": name}, int64(auth.DefaultPermission), 0); err != nil {
			return err
		}
	}
	return nil
}

// GuestEmail is the email of the built-in guest account.
const GuestEmail = "guest@cms.go"

func (b *booter) guest(ctx context.Context) error {
	id, err := b.idBy(ctx, schema.TableUser, "email", GuestEmail)
	if err != nil || id != 0 {
		return err
	}
	uid, err := b.insert(ctx, schema.TableUser, map[string]any{"name": "guest", "email": GuestEmail, "confirmed": false}, int64(auth.DefaultPermission), 0)
	if err != nil {
		return err
	}
	gid, err := b.idBy(ctx, schema.TableUsergroup, "name", schema.GroupUsers)
	if err != nil {
		return err
	}
	_, err = b.insert(ctx, schema.TableMembership, map[string]any{schema.ColOwner: uid, schema.ColUsergroup: gid}, schema.MembershipPermission, 0)
	return err
}

// worlds keeps one world row per table; existing rows keep their
// permission and stored DefaultPermission.
func (b *booter) worlds(ctx context.Context) error {
	for _, t := range b.sc.Tables {
		id, stored, err := b.worldRow(ctx, t.TableName)
		if err != nil {
			return err
		}
		def := b.mode
		switch {
		case t.ExplicitDefaultPermission:
			def = t.DefaultPermission
		case stored != nil:
			def = *stored
		case schema.IsAuditTableName(t.TableName):
			def = int64(auth.AuditRowDefault)
		}
		doc := *t
		doc.DefaultPermission = def
		js, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		vals := map[string]any{
			"world_schema_json": string(js), "is_top_level": t.IsTopLevel, "is_hidden": t.IsHidden,
			"is_join_table": t.IsJoinTable, "is_state_tracking_enabled": t.IsStateTrackingEnabled,
			"default_order": t.DefaultOrder, "icon": t.Icon,
		}
		if id != 0 {
			if err := b.update(ctx, schema.TableWorld, id, vals); err != nil {
				return err
			}
			continue
		}
		perm := b.mode
		if t.ExplicitPermission {
			perm = t.Permission
		} else if schema.IsAuditTableName(t.TableName) && b.mode != int64(auth.AllowAll) {
			perm = int64(auth.AuditTableGate)
		}
		vals["table_name"] = t.TableName
		if _, err := b.insert(ctx, schema.TableWorld, vals, perm, 0); err != nil {
			return err
		}
	}
	return nil
}

func (b *booter) worldRow(ctx context.Context, name string) (int64, *int64, error) {
	var id int64
	var js sql.NullString
	q := "SELECT " + b.d.Quote(schema.ColID) + ", world_schema_json FROM " + b.d.Quote(schema.TableWorld) + " WHERE table_name = ?"
	err := b.tx.QueryRowxContext(ctx, b.d.Rebind(q), name).Scan(&id, &js)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, b.d.MapError(err)
	}
	var meta struct{ DefaultPermission *int64 }
	_ = json.Unmarshal([]byte(js.String), &meta)
	return id, meta.DefaultPermission, nil
}

func (b *booter) update(ctx context.Context, table string, id int64, vals map[string]any) error {
	q := "UPDATE " + b.d.Quote(table) + " SET "
	var args []any
	for k, v := range vals {
		cv, err := b.typed(table, k, v)
		if err != nil {
			return err
		}
		q += b.d.Quote(k) + " = ?, "
		args = append(args, cv)
	}
	q += b.d.Quote(schema.ColUpdatedAt) + " = ? WHERE " + b.d.Quote(schema.ColID) + " = ?"
	_, err := b.tx.ExecContext(ctx, b.d.Rebind(q), append(args, b.now, id)...)
	return b.d.MapError(err)
}

// actions keeps one action row per action definition.
func (b *booter) actions(ctx context.Context) error {
	for _, a := range b.sc.Actions {
		wid, err := b.idBy(ctx, schema.TableWorld, "table_name", a.OnType)
		if err != nil {
			return err
		}
		js, err := json.Marshal(a)
		if err != nil {
			return err
		}
		var id int64
		q := "SELECT " + b.d.Quote(schema.ColID) + " FROM " + b.d.Quote(schema.TableAction) + " WHERE action_name = ? AND world_id = ?"
		err = b.tx.QueryRowxContext(ctx, b.d.Rebind(q), a.Name, wid).Scan(&id)
		vals := map[string]any{"label": a.Label, "instance_optional": a.InstanceOptional, "action_schema": string(js)}
		switch {
		case err == nil:
			if err := b.update(ctx, schema.TableAction, id, vals); err != nil {
				return err
			}
		case errors.Is(err, sql.ErrNoRows):
			perm := int64(auth.AllowAll)
			if a.Permission != 0 || len(a.AccessGroups) > 0 {
				perm = a.Permission
			}
			vals["action_name"], vals["world_id"] = a.Name, wid
			if _, err := b.insert(ctx, schema.TableAction, vals, perm, 0); err != nil {
				return err
			}
		default:
			return b.d.MapError(err)
		}
	}
	return nil
}

// machines keeps one smd row per state machine description.
func (b *booter) machines(ctx context.Context) error {
	for _, m := range b.sc.StateMachines {
		events, err := json.Marshal(m.Events)
		if err != nil {
			return err
		}
		id, err := b.idBy(ctx, schema.TableSMD, "name", m.Name)
		if err != nil {
			return err
		}
		vals := map[string]any{"label": m.Label, "initial_state": m.InitialState, "events": string(events)}
		if id != 0 {
			if err := b.update(ctx, schema.TableSMD, id, vals); err != nil {
				return err
			}
			continue
		}
		vals["name"] = m.Name
		if _, err := b.insert(ctx, schema.TableSMD, vals, b.mode, 0); err != nil {
			return err
		}
	}
	return nil
}
