package resource

import (
	"context"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// relationOf resolves a table, one of its rows (checked with op) and a link.
func (s *svc) relationOf(ctx context.Context, tableName, refID, relation string, tableOp, rowOp auth.Op) (*schema.Schema, *schema.Table, Row, *schema.Link, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return nil, nil, Row{}, nil, err
	}
	l, ok := t.Link(relation)
	if !ok {
		return nil, nil, Row{}, nil, notFound("table %q has no relation %q", tableName, relation)
	}
	if _, err := s.checkTable(ctx, t, tableOp); err != nil {
		return nil, nil, Row{}, nil, err
	}
	r, err := s.load(ctx, t, refID)
	if err != nil {
		return nil, nil, Row{}, nil, err
	}
	if err := s.checkRow(ctx, t, r, rowOp); err != nil {
		return nil, nil, Row{}, nil, err
	}
	return sc, t, r, l, nil
}

// Related lists the readable rows at the other end of a relation.
func (s *svc) Related(ctx context.Context, tableName, refID, relation string, q Query) (Page, error) {
	sc, _, r, l, err := s.relationOf(ctx, tableName, refID, relation, auth.OpPeek, auth.OpRead)
	if err != nil {
		return Page{}, err
	}
	tt, err := table(sc, l.Target)
	if err != nil {
		return Page{}, err
	}
	if _, err := s.checkTable(ctx, tt, auth.OpPeek); err != nil {
		return Page{}, err
	}
	d := s.d
	id := baseAlias + "." + d.Quote(schema.ColID)
	page, err := s.list(ctx, sc, tt, q, func(w *where) {
		switch {
		case l.IsJoin():
			w.add(id+" IN (SELECT "+d.Quote(l.JoinOther)+" FROM "+d.Quote(l.JoinTable)+" WHERE "+d.Quote(l.JoinSelf)+" = ?)", r.ID)
		case !l.Reverse:
			w.add(id+" = ?", r.fks[l.FKColumn])
		default:
			w.add(baseAlias+"."+d.Quote(l.FKColumn)+" = ?", r.ID)
		}
	})
	if err != nil || !l.IsJoin() || len(page.Rows) == 0 {
		return page, err
	}
	return page, s.decorateJoinRows(ctx, l, r.ID, page.Rows)
}

// decorateJoinRows adds the link rows' timestamps to rows listed through a
// join table; for usergroup sharing it also swaps in the link row's id and
// permission (clients edit memberships through them, contract §5.3).
func (s *svc) decorateJoinRows(ctx context.Context, l *schema.Link, self int64, rows []Row) error {
	d := s.d
	q := "SELECT " + d.Quote(l.JoinOther) + ", " + d.Quote(schema.ColReferenceID) + ", " + d.Quote(schema.ColPermission) + ", " +
		d.Quote(schema.ColCreatedAt) + ", " + d.Quote(schema.ColUpdatedAt) + " FROM " + d.Quote(l.JoinTable) + " WHERE " + d.Quote(l.JoinSelf) + " = ?"
	res, err := s.reader().QueryContext(ctx, d.Rebind(q), self)
	if err != nil {
		return s.d.MapError(err)
	}
	defer res.Close()
	type link struct {
		ref     string
		perm    int64
		created any
		updated any
	}
	links := map[int64]link{}
	for res.Next() {
		var other, perm int64
		var ref []byte
		var created, updated any
		if err := res.Scan(&other, &ref, &perm, &created, &updated); err != nil {
			return err
		}
		links[other] = link{ref: refString(ref), perm: perm, created: fromDB(skTime, created), updated: fromDB(skTime, updated)}
	}
	if err := res.Err(); err != nil {
		return err
	}
	swap := l.Target == schema.TableUsergroup || l.JoinTable == schema.TableMembership
	for i := range rows {
		lk, ok := links[rows[i].ID]
		if !ok {
			continue
		}
		rows[i].Attrs["relation_created_at"] = lk.created
		rows[i].Attrs["relation_updated_at"] = lk.updated
		if swap {
			rows[i].Attrs["relation_reference_id"] = rows[i].RefID
			rows[i].Attrs[schema.ColReferenceID] = lk.ref
			rows[i].Attrs[schema.ColPermission] = lk.perm
			rows[i].RefID = lk.ref
		}
	}
	return nil
}

// Linkage returns the ids a relation of one row points at (readable ones).
func (s *svc) Linkage(ctx context.Context, tableName, refID, relation string) ([]Ref, error) {
	page, err := s.Related(ctx, tableName, refID, relation, Query{PageSize: MaxPageSize})
	if err != nil {
		return nil, err
	}
	sc := s.Schema()
	t, _ := sc.Table(tableName)
	l, _ := t.Link(relation)
	out := make([]Ref, 0, len(page.Rows))
	for _, r := range page.Rows {
		id := r.RefID
		if v, ok := r.Attrs["relation_reference_id"].(string); ok {
			id = v
		}
		out = append(out, Ref{Type: l.Target, ID: id})
	}
	return out, nil
}

// AddLinks links targets to a row. To-one relations take the first target.
func (s *svc) AddLinks(ctx context.Context, tableName, refID, relation string, targets []Ref) error {
	return s.write(ctx, func(tx *svc) error {
		sc, t, r, l, err := tx.relationOf(ctx, tableName, refID, relation, auth.OpRefer, auth.OpPeek)
		if err != nil {
			return err
		}
		return tx.link(ctx, sc, t, r, l, targets)
	})
}

// RemoveLinks unlinks targets from a row; for a forward to-one relation it
// clears the foreign key whatever targets say.
func (s *svc) RemoveLinks(ctx context.Context, tableName, refID, relation string, targets []Ref) error {
	return s.write(ctx, func(tx *svc) error {
		sc, t, r, l, err := tx.relationOf(ctx, tableName, refID, relation, auth.OpRefer, auth.OpPeek)
		if err != nil {
			return err
		}
		return tx.unlink(ctx, sc, t, r, l, targets)
	})
}

// targetIDs resolves public ids of link targets and checks refer permission.
func (s *svc) targetIDs(ctx context.Context, sc *schema.Schema, l *schema.Link, targets []Ref) ([]int64, error) {
	tt, err := table(sc, l.Target)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(targets))
	for _, ref := range targets {
		if ref.Type != "" && ref.Type != l.Target {
			return nil, &Error{Kind: ErrConflict, Title: "wrong type", Detail: "relation " + l.Name + " points at " + l.Target + ", not " + ref.Type}
		}
		row, err := s.load(ctx, tt, ref.ID)
		if err != nil {
			return nil, invalidAttr(l.Name, "no %s with id %s", l.Target, ref.ID)
		}
		if err := s.checkRow(ctx, tt, row, auth.OpRefer); err != nil {
			return nil, err
		}
		ids = append(ids, row.ID)
	}
	return ids, nil
}

func (s *svc) link(ctx context.Context, sc *schema.Schema, t *schema.Table, r Row, l *schema.Link, targets []Ref) error {
	ids, err := s.targetIDs(ctx, sc, l, targets)
	if err != nil || len(ids) == 0 {
		return err
	}
	d := s.d
	now := s.now()
	switch {
	case l.IsJoin():
		for _, id := range ids {
			if err := s.insertJoin(ctx, l, r.ID, id, 0); err != nil {
				return err
			}
		}
	case !l.Reverse:
		q := "UPDATE " + d.Quote(t.TableName) + " SET " + d.Quote(l.FKColumn) + " = ?, " + d.Quote(schema.ColUpdatedAt) + " = ? WHERE " + d.Quote(schema.ColID) + " = ?"
		if _, err := s.tx.ExecContext(ctx, d.Rebind(q), ids[0], now, r.ID); err != nil {
			return d.MapError(err)
		}
		return s.emitRelinked(ctx, t, r)
	default:
		q := "UPDATE " + d.Quote(l.Target) + " SET " + d.Quote(l.FKColumn) + " = ? WHERE " + d.Quote(schema.ColID) + " IN (" + placeholders(len(ids)) + ")"
		if _, err := s.tx.ExecContext(ctx, d.Rebind(q), append([]any{r.ID}, int64sAny(ids)...)...); err != nil {
			return d.MapError(err)
		}
	}
	s.emit(Change{Table: t.TableName, Op: OpUpdate, RefID: r.RefID})
	return nil
}

// insertJoin adds one join row unless it exists. perm 0 means the join
// table's default permission.
func (s *svc) insertJoin(ctx context.Context, l *schema.Link, self, other int64, perm int64) error {
	d := s.d
	var n int
	q := "SELECT COUNT(*) FROM " + d.Quote(l.JoinTable) + " WHERE " + d.Quote(l.JoinSelf) + " = ? AND " + d.Quote(l.JoinOther) + " = ?"
	if err := s.tx.QueryRowxContext(ctx, d.Rebind(q), self, other).Scan(&n); err != nil {
		return d.MapError(err)
	}
	if n > 0 {
		return nil
	}
	if perm == 0 {
		gs, err := s.gates(ctx)
		if err != nil {
			return err
		}
		perm = defaultPermOf(gs, l.JoinTable)
	}
	_, ref := newRefID()
	now := s.now()
	ins := "INSERT INTO " + d.Quote(l.JoinTable) + " (" + d.Quote(l.JoinSelf) + ", " + d.Quote(l.JoinOther) + ", " + d.Quote(schema.ColReferenceID) + ", " +
		d.Quote(schema.ColPermission) + ", " + d.Quote(schema.ColCreatedAt) + ", " + d.Quote(schema.ColUpdatedAt) + ", " + d.Quote(schema.ColVersion) + ") VALUES (?, ?, ?, ?, ?, ?, 1)"
	if _, err := s.tx.ExecContext(ctx, d.Rebind(ins), self, other, ref, perm, now, now); err != nil {
		return d.MapError(err)
	}
	s.emit(Change{Table: l.JoinTable, Op: OpCreate})
	return nil
}

func defaultPermOf(gs map[string]gate, table string) int64 {
	if g, ok := gs[table]; ok {
		return g.defaultPerm
	}
	return int64(auth.AllowAll)
}

func (s *svc) unlink(ctx context.Context, sc *schema.Schema, t *schema.Table, r Row, l *schema.Link, targets []Ref) error {
	d := s.d
	now := s.now()
	if !l.IsJoin() && !l.Reverse {
		if col, ok := t.Column(l.FKColumn); ok && !col.IsNullable {
			return invalidAttr(l.Name, "relation %s is required and cannot be cleared", l.Name)
		}
		q := "UPDATE " + d.Quote(t.TableName) + " SET " + d.Quote(l.FKColumn) + " = NULL, " + d.Quote(schema.ColUpdatedAt) + " = ? WHERE " + d.Quote(schema.ColID) + " = ?"
		if _, err := s.tx.ExecContext(ctx, d.Rebind(q), now, r.ID); err != nil {
			return d.MapError(err)
		}
		return s.emitRelinked(ctx, t, r)
	}
	ids, err := s.targetIDs(ctx, sc, l, targets)
	if err != nil || len(ids) == 0 {
		return err
	}
	var q string
	args := append([]any{r.ID}, int64sAny(ids)...)
	if l.IsJoin() {
		q = "DELETE FROM " + d.Quote(l.JoinTable) + " WHERE " + d.Quote(l.JoinSelf) + " = ? AND " + d.Quote(l.JoinOther) + " IN (" + placeholders(len(ids)) + ")"
	} else {
		q = "UPDATE " + d.Quote(l.Target) + " SET " + d.Quote(l.FKColumn) + " = NULL WHERE " + d.Quote(l.FKColumn) + " = ? AND " + d.Quote(schema.ColID) + " IN (" + placeholders(len(ids)) + ")"
	}
	if _, err := s.tx.ExecContext(ctx, d.Rebind(q), args...); err != nil {
		return d.MapError(err)
	}
	s.emit(Change{Table: t.TableName, Op: OpUpdate, RefID: r.RefID})
	return nil
}

// emitRelinked announces a row whose own foreign key a relationship write
// changed, with the row as it was and as it is now, as an attribute update
// does: subscribers that follow a row between parents (a mail moved to
// another mailbox, a calendar object to another collection) see both ends.
func (s *svc) emitRelinked(ctx context.Context, t *schema.Table, before Row) error {
	after, err := s.loadByID(ctx, t, before.ID)
	if err != nil {
		return err
	}
	s.emit(Change{Table: t.TableName, Op: OpUpdate, RefID: after.RefID, Row: after.Attrs, Before: before.Attrs,
		Object: auth.Object{OwnerID: after.owner, Permission: auth.Permission(after.perm)}})
	return nil
}
