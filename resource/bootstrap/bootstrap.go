package bootstrap

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// Options are the inputs of Run.
type Options struct {
	LocalStoragePath string
}

// Run seeds what a fresh instance has (contract core.md §1.4) and
// brings world, action and smd rows in step with the schema. It is
// idempotent and runs in one transaction after migrations. On a restart
// with an unchanged schema it only reads: rows that already hold the
// values the schema gives them are not rewritten (their updated_at stays).
func Run(ctx context.Context, d *db.DB, sc *schema.Schema, o Options) error {
	b := &booter{d: d.Dialect, sc: sc, o: o, now: time.Now().UTC()}
	return d.InTx(ctx, func(tx *sqlx.Tx) error {
		b.tx = tx
		if err := b.configDefaults(ctx); err != nil {
			return err
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
	d      db.Dialect
	tx     *sqlx.Tx
	sc     *schema.Schema
	o      Options
	now    time.Time
	mode   int64
	worldK map[string]int64 // world row id by table name, filled by worlds
	buf    bytes.Buffer     // encode's buffer
	enc    *json.Encoder    // encode's encoder, writing to buf
}

// configDefaults writes the default _config values that are missing; one
// read finds which are.
func (b *booter) configDefaults(ctx context.Context) error {
	q := "SELECT name FROM " + b.d.Quote(schema.ConfigTable) + " WHERE configtype = ?"
	rows, err := b.tx.QueryxContext(ctx, b.d.Rebind(q), resource.ConfigBackend)
	if err != nil {
		return b.d.MapError(err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return b.d.MapError(err)
		}
		have[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b.d.MapError(err)
	}
	for key, val := range defaults(b.o.LocalStoragePath) {
		if have[key] {
			continue
		}
		if err := resource.SeedConfig(ctx, b.tx, b.d, resource.ConfigBackend, key, val); err != nil {
			return fmt.Errorf("config %s: %w", key, err)
		}
	}
	return nil
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
	_, ref := sqlval.NewRefID()
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
	q := "INSERT INTO " + b.d.Quote(table) + " (" + strings.Join(quoted, ", ") + ") VALUES (" + sqlval.Placeholders(len(cols)) + ")"
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
	return sqlval.ToDB(sqlval.KindOf(col.DataType), v)
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

func (b *booter) guest(ctx context.Context) error {
	id, err := b.idBy(ctx, schema.TableUser, "email", resource.GuestEmail)
	if err != nil || id != 0 {
		return err
	}
	uid, err := b.insert(ctx, schema.TableUser, map[string]any{"name": "guest", "email": resource.GuestEmail, "confirmed": false}, int64(auth.DefaultPermission), 0)
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
