package resource

import (
	"context"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// Delete removes a row. Join rows that point at it are removed with it,
// nullable references to it are cleared, state rows go with their subject,
// and a required reference from another row refuses the delete (409).
func (s *svc) Delete(ctx context.Context, tableName, refID string) error {
	if err := s.before(ctx, Write{Table: tableName, Op: OpDelete, RefID: refID}); err != nil {
		return err
	}
	return s.write(ctx, func(tx *svc) error { return tx.delete(ctx, tableName, refID) })
}

func (s *svc) delete(ctx context.Context, tableName, refID string) error {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return err
	}
	if _, err := s.checkTable(ctx, t, auth.OpDelete); err != nil {
		return err
	}
	r, err := s.load(ctx, t, refID)
	if err != nil {
		return err
	}
	if err := s.checkRow(ctx, t, r, auth.OpDelete); err != nil {
		return err
	}
	if err := s.audit(ctx, sc, t, r, "delete"); err != nil {
		return err
	}
	// The sharing groups go with the row: read them now so the delete
	// event reaches only those who could read it.
	obj, err := s.rowObject(ctx, t, r)
	if err != nil {
		return err
	}
	if err := s.detach(ctx, sc, t, r.ID); err != nil {
		return err
	}
	d := s.d
	if err := s.exec(ctx, "DELETE FROM "+d.Quote(t.TableName)+" WHERE "+d.Quote(schema.ColID)+" = ?", r.ID); err != nil {
		return err
	}
	s.emit(Change{Table: t.TableName, Op: OpDelete, RefID: r.RefID, Object: obj, Before: r.Attrs})
	return nil
}

// detach handles every foreign key in the schema that points at the row.
func (s *svc) detach(ctx context.Context, sc *schema.Schema, t *schema.Table, id int64) error {
	d := s.d
	for _, other := range sc.Tables {
		for _, col := range other.Columns {
			if !col.IsForeignKey || col.ForeignKeyData.DataSource != "self" || col.ForeignKeyData.Namespace != t.TableName {
				continue
			}
			where := " WHERE " + d.Quote(col.ColumnName) + " = ?"
			switch {
			case other.TableName == t.TableName && col.ColumnName == schema.ColOwner:
				// a user row owning itself
			case other.IsJoinTable, other.TableName == t.TableName+"_state":
				if err := s.exec(ctx, "DELETE FROM "+d.Quote(other.TableName)+where, id); err != nil {
					return err
				}
				continue
			case col.CascadeDelete:
				if err := s.deleteChildren(ctx, t.TableName, other, col.ColumnName, id); err != nil {
					return err
				}
				continue
			case col.IsNullable:
				if err := s.exec(ctx, "UPDATE "+d.Quote(other.TableName)+" SET "+d.Quote(col.ColumnName)+" = NULL"+where, id); err != nil {
					return err
				}
				continue
			}
			var n int64
			q := "SELECT COUNT(*) FROM " + d.Quote(other.TableName) + where
			if other.TableName == t.TableName {
				q += " AND " + d.Quote(schema.ColID) + " <> ?"
			}
			args := []any{id}
			if other.TableName == t.TableName {
				args = append(args, id)
			}
			if err := s.tx.QueryRowxContext(ctx, d.Rebind(q), args...).Scan(&n); err != nil {
				return d.MapError(err)
			}
			if n > 0 {
				return conflict("%s is still referenced by %d %s row(s) through %s", t.TableName, n, other.TableName, col.ColumnName)
			}
		}
	}
	return nil
}

// deleteChildren deletes the rows of child whose column fk points at the
// row id (a relation with OnDelete cascade), each as a delete of its own
// under the caller's rights: its own references, audit and change event.
// A row of the parent's own table that points at itself is the row being
// deleted.
func (s *svc) deleteChildren(ctx context.Context, parent string, child *schema.Table, fk string, id int64) error {
	d := s.d
	q := "SELECT " + d.Quote(schema.ColReferenceID) + " FROM " + d.Quote(child.TableName) + " WHERE " + d.Quote(fk) + " = ?"
	args := []any{id}
	if child.TableName == parent {
		q += " AND " + d.Quote(schema.ColID) + " <> ?"
		args = append(args, id)
	}
	rows, err := s.tx.QueryxContext(ctx, d.Rebind(q), args...)
	if err != nil {
		return d.MapError(err)
	}
	var refs []string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return d.MapError(err)
		}
		refs = append(refs, refString(v))
	}
	if err := rows.Close(); err != nil {
		return d.MapError(err)
	}
	if err := rows.Err(); err != nil {
		return d.MapError(err)
	}
	for _, ref := range refs {
		if err := s.delete(ctx, child.TableName, ref); err != nil {
			return err
		}
	}
	return nil
}
