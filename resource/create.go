package resource

import (
	"context"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// Create inserts a row and returns it as the API shows it.
func (s *svc) Create(ctx context.Context, tableName string, in Input) (Row, error) {
	if err := s.beforeUnlessValidate(ctx, in, Write{Table: tableName, Op: OpCreate, Attrs: in.Attributes}); err != nil {
		return Row{}, err
	}
	in, err := s.storeFiles(ctx, tableName, "", in)
	if err != nil {
		return Row{}, err
	}
	var out Row
	err = s.write(ctx, func(tx *svc) error {
		r, err := tx.create(ctx, tableName, in)
		out = r
		if err == nil && in.ValidateOnly {
			return errRollback
		}
		return err
	})
	return out, err
}

func (s *svc) create(ctx context.Context, tableName string, in Input) (Row, error) {
	sc := s.Schema()
	t, err := table(sc, tableName)
	if err != nil {
		return Row{}, err
	}
	g, err := s.checkTable(ctx, t, auth.OpCreate)
	if err != nil {
		return Row{}, err
	}
	ch, err := s.prepare(ctx, sc, t, mergeFiles(in, nil), true)
	if err != nil {
		return Row{}, err
	}
	if err := requireColumns(t, ch); err != nil {
		return Row{}, err
	}
	refID, refB := newRefID()
	if in.ID != "" {
		b, ok := refBytes(in.ID)
		if !ok {
			return Row{}, &Error{Kind: ErrBadRequest, Title: "invalid id", Detail: "data.id must be a UUID", Pointer: "/data/id"}
		}
		refID, refB = in.ID, b
	}
	p := auth.PrincipalFrom(ctx)
	now := s.now()
	ch.put(schema.ColReferenceID, refB)
	ch.put(schema.ColPermission, g.defaultPerm)
	ch.put(schema.ColCreatedAt, now)
	ch.put(schema.ColUpdatedAt, now)
	ch.put(schema.ColVersion, int64(1))
	if t.HasOwner() && !p.IsGuest() && !p.System {
		ch.put(schema.ColOwner, p.UserID)
	}
	if err := s.systemOwner(ctx, sc, t, in, ch); err != nil {
		return Row{}, err
	}
	id, err := s.insert(ctx, t, ch)
	if err != nil {
		return Row{}, err
	}
	if t.TableName == schema.TableUser {
		if err := s.exec(ctx, "UPDATE "+s.d.Quote(t.TableName)+" SET "+s.d.Quote(schema.ColOwner)+" = ? WHERE "+s.d.Quote(schema.ColID)+" = ?", id, id); err != nil {
			return Row{}, err
		}
	}
	if err := s.defaultGroups(ctx, sc, t, id); err != nil {
		return Row{}, err
	}
	r := Row{ID: id, RefID: refID}
	if err := s.writeLinks(ctx, sc, t, r, ch); err != nil {
		return Row{}, err
	}
	r, err = s.loadByID(ctx, t, id)
	if err != nil {
		return Row{}, err
	}
	s.emit(Change{Table: t.TableName, Op: OpCreate, RefID: r.RefID, Row: r.Attrs, Object: auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}})
	return r, nil
}

// insert runs the INSERT and returns the new internal id.
func (s *svc) insert(ctx context.Context, t *schema.Table, ch *changes) (int64, error) {
	d := s.d
	cols := make([]string, len(ch.cols))
	for i, c := range ch.cols {
		cols[i] = d.Quote(c)
	}
	q := "INSERT INTO " + d.Quote(t.TableName) + " (" + joinComma(cols) + ") VALUES (" + placeholders(len(cols)) + ")"
	id, err := d.InsertReturningID(ctx, s.writer(), q, ch.vals...)
	if err != nil {
		return 0, s.mapDBError(d.MapError(err))
	}
	return id, nil
}

func (s *svc) exec(ctx context.Context, q string, args ...any) error {
	if _, err := s.writer().ExecContext(ctx, s.d.Rebind(q), args...); err != nil {
		return s.mapDBError(s.d.MapError(err))
	}
	return nil
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}

// defaultGroups links a new row to the table's DefaultGroups.
func (s *svc) defaultGroups(ctx context.Context, sc *schema.Schema, t *schema.Table, id int64) error {
	gl, ok := t.GroupLink()
	if !ok || len(t.DefaultGroups) == 0 {
		return nil
	}
	for _, g := range t.DefaultGroups {
		var gid int64
		q := "SELECT " + s.d.Quote(schema.ColID) + " FROM " + s.d.Quote(schema.TableUsergroup) + " WHERE name = ?"
		err := s.writer().QueryRowxContext(ctx, s.d.Rebind(q), g.Name).Scan(&gid)
		if err != nil {
			continue // a group that does not exist yet is skipped, as Daptin does
		}
		if err := s.insertJoin(ctx, gl, id, gid, g.Permission); err != nil {
			return err
		}
	}
	return nil
}

// writeLinks applies to-many relationship input and reverse to-one clears.
func (s *svc) writeLinks(ctx context.Context, sc *schema.Schema, t *schema.Table, r Row, ch *changes) error {
	for l, refs := range ch.toMany {
		if len(refs) == 0 {
			continue
		}
		if err := s.link(ctx, sc, t, r, l, refs); err != nil {
			return err
		}
	}
	for _, l := range ch.clear {
		q := "UPDATE " + s.d.Quote(l.Target) + " SET " + s.d.Quote(l.FKColumn) + " = NULL WHERE " + s.d.Quote(l.FKColumn) + " = ?"
		if err := s.exec(ctx, q, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// systemOwner applies Input.Owner and Input.Permission, which only the
// system principal may set.
func (s *svc) systemOwner(ctx context.Context, sc *schema.Schema, t *schema.Table, in Input, ch *changes) error {
	if in.Owner == "" && in.Permission == nil {
		return nil
	}
	if !auth.PrincipalFrom(ctx).System {
		return &Error{Kind: ErrForbidden, Title: TitleTableGate, Detail: "only the server may choose a new row's owner and permission"}
	}
	if in.Permission != nil {
		ch.put(schema.ColPermission, *in.Permission)
	}
	if in.Owner == "" || !t.HasOwner() {
		return nil
	}
	cv, ok := s.views.get(s.d, t).col(schema.ColOwner)
	if !ok {
		return nil
	}
	return s.prepareColumn(ctx, sc, cv, in.Owner, ch)
}
