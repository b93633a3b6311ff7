package resource

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// CheckExecute applies the execute checks of an action call (contract
// core.md §4.6): the table's world row, the action row and, when given,
// the subject row. Administrators pass.
func (s *svc) CheckExecute(ctx context.Context, tableName, actionName, subjectRef string) (Row, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return Row{}, err
	}
	p := auth.PrincipalFrom(ctx)
	var subject Row
	if subjectRef != "" {
		subject, err = s.load(ctx, t, subjectRef)
		if err != nil {
			return Row{}, err
		}
		if err := s.checkRow(ctx, t, subject, auth.OpExecute); err != nil {
			return Row{}, err
		}
	}
	if p.IsAdmin() {
		return subject, nil
	}
	g, err := s.checkTable(ctx, t, auth.OpExecute)
	if err != nil {
		return Row{}, err
	}
	at, err := table(sc, schema.TableAction)
	if err != nil {
		return Row{}, err
	}
	v := s.views.get(s.d, at)
	rows, err := s.query(ctx, s.reader(), v, v.sel+" WHERE "+baseAlias+".action_name = ? AND "+baseAlias+".world_id = ?", actionName, g.worldID)
	if err != nil {
		return Row{}, err
	}
	if len(rows) == 0 {
		return Row{}, forbidden("forbidden")
	}
	if err := s.checkRow(ctx, at, rows[0], auth.OpExecute); err != nil {
		return Row{}, forbidden("forbidden")
	}
	return subject, nil
}

// BecomeAdministrator makes the caller the first administrator and locks
// the instance down (contract core.md §4.5), in one transaction: the caller
// owns every row, open rows and tables become DefaultPermission, audit
// tables get their own defaults, and the caller joins administrators.
func (s *svc) BecomeAdministrator(ctx context.Context) error {
	p := auth.PrincipalFrom(ctx)
	if p.IsGuest() {
		return &Error{Kind: ErrUnauthenticated, Title: "sign in first"}
	}
	return s.write(ctx, func(tx *svc) error {
		d := tx.d
		var adminGroup int64
		q := "SELECT " + d.Quote(schema.ColID) + " FROM " + d.Quote(schema.TableUsergroup) + " WHERE name = ?"
		if err := tx.tx.QueryRowxContext(ctx, d.Rebind(q), schema.GroupAdmins).Scan(&adminGroup); err != nil {
			return d.MapError(err)
		}
		var members int64
		q = "SELECT COUNT(*) FROM " + d.Quote(schema.TableMembership) + " WHERE " + d.Quote(schema.ColUsergroup) + " = ?"
		if err := tx.tx.QueryRowxContext(ctx, d.Rebind(q), adminGroup).Scan(&members); err != nil {
			return d.MapError(err)
		}
		if members > 0 {
			return &Error{Kind: ErrForbidden, Title: "Unauthorized", Detail: "an administrator already exists"}
		}
		allow, def := int64(auth.AllowAll), int64(auth.DefaultPermission)
		sc := tx.Schema()
		for _, t := range sc.Tables {
			if !t.HasOwner() {
				// Groups and join rows (memberships, shares) have no owner
				// but must not stay open to everyone either.
				if err := tx.lockOwnerless(ctx, t, allow, def); err != nil {
					return err
				}
				continue
			}
			// Users keep owning their own account row (Daptin handed every
			// account to the new admin, locking users out of their own row).
			owner := d.Quote(schema.ColOwner) + " = ?"
			if t.TableName == schema.TableUser {
				owner = d.Quote(schema.ColOwner) + " = COALESCE(" + d.Quote(schema.ColOwner) + ", ?)"
			}
			up := "UPDATE " + d.Quote(t.TableName) + " SET " + owner + ", " + d.Quote(schema.ColPermission) +
				" = CASE WHEN " + d.Quote(schema.ColPermission) + " = ? THEN ? ELSE " + d.Quote(schema.ColPermission) + " END"
			if err := tx.exec(ctx, up, p.UserID, allow, def); err != nil {
				return err
			}
		}
		if err := tx.lockWorld(ctx, sc); err != nil {
			return err
		}
		ml := &schema.Link{JoinTable: schema.TableMembership, JoinSelf: schema.ColOwner, JoinOther: schema.ColUsergroup}
		if err := tx.insertJoin(ctx, ml, p.UserID, adminGroup, def); err != nil {
			return err
		}
		tx.emit(Change{Table: schema.TableWorld, Op: OpUpdate})
		tx.emit(Change{Table: schema.TableMembership, Op: OpCreate})
		return nil
	})
}

// lockOwnerless gives the rows of a table without owner (usergroup, join
// tables) that still carry the allow-all permission the default instead.
func (s *svc) lockOwnerless(ctx context.Context, t *schema.Table, allow, def int64) error {
	if schema.IsAuditTableName(t.TableName) {
		return nil
	}
	if _, ok := t.Column(schema.ColPermission); !ok {
		return nil
	}
	d := s.d
	up := "UPDATE " + d.Quote(t.TableName) + " SET " + d.Quote(schema.ColPermission) + " = ? WHERE " + d.Quote(schema.ColPermission) + " = ?"
	return s.exec(ctx, up, def, allow)
}

// lockWorld moves open table gates and row defaults to their locked values.
func (s *svc) lockWorld(ctx context.Context, sc *schema.Schema) error {
	d := s.d
	rows, err := s.tx.QueryContext(ctx, "SELECT "+d.Quote(schema.ColID)+", table_name, "+d.Quote(schema.ColPermission)+", world_schema_json FROM "+d.Quote(schema.TableWorld))
	if err != nil {
		return d.MapError(err)
	}
	type wrow struct {
		id   int64
		name string
		perm int64
		js   string
	}
	var all []wrow
	for rows.Next() {
		var w wrow
		var js sql.NullString
		if err := rows.Scan(&w.id, &w.name, &w.perm, &js); err != nil {
			rows.Close()
			return err
		}
		w.js = js.String
		all = append(all, w)
	}
	rows.Close()
	allow := int64(auth.AllowAll)
	for _, w := range all {
		audit := schema.IsAuditTableName(w.name)
		gate, rowDef := int64(auth.DefaultPermission), int64(auth.DefaultPermission)
		if audit {
			gate, rowDef = int64(auth.AuditTableGate), int64(auth.AuditRowDefault)
		}
		perm := w.perm
		if perm == allow {
			perm = gate
		}
		js := replaceDefaultPermission(w.js, allow, rowDef)
		q := "UPDATE " + d.Quote(schema.TableWorld) + " SET " + d.Quote(schema.ColPermission) + " = ?, world_schema_json = ? WHERE " + d.Quote(schema.ColID) + " = ?"
		if err := s.exec(ctx, q, perm, js, w.id); err != nil {
			return err
		}
	}
	q := "UPDATE " + d.Quote(schema.TableAction) + " SET " + d.Quote(schema.ColPermission) + " = ? WHERE " + d.Quote(schema.ColPermission) + " = ?"
	return s.exec(ctx, q, int64(auth.DefaultPermission), allow)
}

// replaceDefaultPermission rewrites "DefaultPermission": from -> to in a
// stored table definition.
func replaceDefaultPermission(js string, from, to int64) string {
	old := `"DefaultPermission":` + strconv.FormatInt(from, 10)
	return strings.Replace(js, old, `"DefaultPermission":`+strconv.FormatInt(to, 10), 1)
}
