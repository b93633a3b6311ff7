package resource

import (
	"context"
	"errors"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// Update changes the given attributes of a row (PATCH semantics).
func (s *svc) Update(ctx context.Context, tableName, refID string, in Input) (Row, error) {
	if err := s.beforeUnlessValidate(ctx, in, Write{Table: tableName, Op: OpUpdate, RefID: refID, Attrs: in.Attributes}); err != nil {
		return Row{}, err
	}
	in, err := s.storeFiles(ctx, tableName, refID, in)
	if err != nil {
		return Row{}, err
	}
	var out Row
	err = s.write(ctx, func(tx *svc) error {
		r, err := tx.update(ctx, tableName, refID, in)
		out = r
		if err == nil && in.ValidateOnly {
			return errRollback
		}
		return err
	})
	return out, err
}

func (s *svc) update(ctx context.Context, tableName, refID string, in Input) (Row, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return Row{}, err
	}
	// A user the gates refuse may still change their own name and
	// password (selfservice.go).
	self := false
	if _, err := s.checkTable(ctx, t, auth.OpUpdate); err != nil {
		if self = isSelf(ctx, t, refID) && errors.Is(err, ErrForbidden); !self {
			return Row{}, err
		}
	}
	old, err := s.load(ctx, t, refID)
	if err != nil {
		return Row{}, err
	}
	if !self {
		if err := s.checkRow(ctx, t, old, auth.OpUpdate); err != nil {
			if self = isSelf(ctx, t, refID) && errors.Is(err, ErrForbidden); !self {
				return Row{}, err
			}
		}
	}
	if self {
		if err := selfServiceInput(old, in); err != nil {
			return Row{}, err
		}
	}
	if err := s.checkCurrentPassword(ctx, t, old, &in, self); err != nil {
		return Row{}, err
	}
	ch, err := s.prepare(ctx, sc, t, mergeFiles(in, &old), false)
	if err != nil {
		return Row{}, err
	}
	if t.TableName == schema.TableUser && ch.set["password"] {
		if _, ok := t.Column("auth_version"); ok {
			ch.cols = append(ch.cols, "auth_version")
			ch.vals = append(ch.vals, rawSQL("auth_version + 1"))
		}
	}
	if err := s.audit(ctx, sc, t, old, "update"); err != nil {
		return Row{}, err
	}
	d := s.d
	q := "UPDATE " + d.Quote(t.TableName) + " SET "
	var args []any
	for i, c := range ch.cols {
		if raw, ok := ch.vals[i].(rawSQL); ok {
			q += d.Quote(c) + " = " + string(raw) + ", "
			continue
		}
		q += d.Quote(c) + " = ?, "
		args = append(args, ch.vals[i])
	}
	q += d.Quote(schema.ColVersion) + " = " + d.Quote(schema.ColVersion) + " + 1, " + d.Quote(schema.ColUpdatedAt) + " = ? WHERE " +
		d.Quote(schema.ColID) + " = ? AND " + d.Quote(schema.ColVersion) + " = ?"
	args = append(args, s.now(), old.ID, old.version)
	res, err := s.writer().ExecContext(ctx, d.Rebind(q), args...)
	if err != nil {
		return Row{}, s.mapDBError(d.MapError(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return Row{}, conflict("%s %s was changed by someone else; read it again and retry", t.TableName, refID)
	}
	if err := s.writeLinks(ctx, sc, t, old, ch); err != nil {
		return Row{}, err
	}
	r, err := s.loadByID(ctx, t, old.ID)
	if err != nil {
		return Row{}, err
	}
	s.emit(Change{Table: t.TableName, Op: OpUpdate, RefID: r.RefID, Row: r.Attrs, Before: old.Attrs,
		Object: auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}})
	return r, nil
}

// rawSQL is a SET expression written by the server itself, never by input.
type rawSQL string

// audit copies a row's values before a change into {table}_audit, in the
// same transaction, when the table has auditing on.
func (s *svc) audit(ctx context.Context, sc *schema.Schema, t *schema.Table, old Row, op string) error {
	at, ok := sc.Table(t.TableName + "_audit")
	if !ok || !t.IsAuditEnabled {
		return nil
	}
	av := s.views.get(s.d, at)
	ch := &changes{set: map[string]bool{}}
	for _, cv := range av.cols {
		name := cv.col.ColumnName
		val, present := old.Attrs[name]
		if !present || reservedAudit[name] {
			continue
		}
		v, err := toDB(cv.sk, val)
		if err != nil {
			continue
		}
		ch.put(name, v)
	}
	_, ref := newRefID()
	now := s.now()
	ch.put("source_reference_id", old.RefID)
	ch.put("operation", op)
	ch.put(schema.ColReferenceID, ref)
	ch.put(schema.ColPermission, int64(auth.AuditRowDefault))
	ch.put(schema.ColCreatedAt, now)
	ch.put(schema.ColUpdatedAt, now)
	ch.put(schema.ColVersion, old.version)
	_, err := s.insert(ctx, at, ch)
	return err
}

var reservedAudit = map[string]bool{
	schema.ColID: true, schema.ColReferenceID: true, schema.ColPermission: true, schema.ColCreatedAt: true,
	schema.ColUpdatedAt: true, schema.ColVersion: true, "__type": true,
}
