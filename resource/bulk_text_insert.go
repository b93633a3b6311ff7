package resource

import (
	"context"
	"database/sql"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource/bulk"
	"github.com/apiary/apiary/schema"
)

// textInsert is the multi-row INSERT of a TextPlan (statement text and
// argument layout in resource/bulk) and, outside a transaction, its
// statement of Per rows prepared once.
type textInsert struct {
	bulk.TextInsert
	stmt *sql.Stmt // the statement of Per rows, nil inside a transaction
}

func newTextInsert(ctx context.Context, s *svc, t *schema.Table, cols []textCol, hasOwner bool, batch int) textInsert {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	x := textInsert{TextInsert: bulk.NewTextInsert(s.d, t.TableName, names, hasOwner, batch)}
	if s.tx == nil {
		// One statement serves every full chunk of every batch. Inside a
		// transaction the pool's only SQLite connection is taken, so
		// statements are then built per call instead.
		if st, err := s.db.W.PrepareContext(ctx, x.Statement(x.Per)); err == nil {
			x.stmt = st
		}
	}
	return x
}

// CreateText implements TextImporter.
func (s *svc) CreateText(ctx context.Context, p *TextPlan, rows *TextRows) error {
	return s.write(ctx, func(tx *svc) error {
		t, err := table(tx.Schema(), p.t.TableName)
		if err != nil {
			return err
		}
		g, err := tx.checkTable(ctx, t, auth.OpCreate)
		if err != nil {
			return err
		}
		n := rows.Len()
		if n == 0 {
			return nil
		}
		var perm, now any = g.defaultPerm, tx.now()
		shared := []any{perm, now, int64(1)}
		if p.hasOwner {
			shared = append(shared, p.owner)
		}
		if err := tx.insertText(ctx, &p.ins, rows, shared); err != nil {
			return err
		}
		obj := auth.Object{OwnerID: p.owner, Permission: auth.Permission(g.defaultPerm)}
		for i, ref := range rows.refs {
			a := rows.attrs[i]
			a[schema.ColPermission], a[schema.ColCreatedAt], a[schema.ColUpdatedAt] = perm, now, now
			tx.emit(Change{Table: t.TableName, Op: OpCreate, RefID: ref, Row: a, Object: obj})
		}
		return nil
	})
}

// insertText writes the rows in as few INSERTs as the parameter limit
// allows, through the prepared statement when it fits.
func (s *svc) insertText(ctx context.Context, x *textInsert, rows *TextRows, shared []any) error {
	n := rows.Len()
	for start := 0; start < n; start += x.Per {
		k := min(x.Per, n-start)
		rows.args = x.Args(rows.args, rows.vals[start*x.RowWidth:(start+k)*x.RowWidth], shared)
		if k == x.Per && x.stmt != nil {
			if _, err := s.tx.StmtContext(ctx, x.stmt).ExecContext(ctx, rows.args...); err != nil {
				return s.mapDBError(s.d.MapError(err))
			}
			continue
		}
		if _, err := s.tx.ExecContext(ctx, x.Statement(k), rows.args...); err != nil {
			return s.mapDBError(s.d.MapError(err))
		}
	}
	return nil
}
