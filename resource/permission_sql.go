package resource

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// gates returns every table's world-row permission data, loading them in
// two queries when the cache is cold.
func (s *svc) gates(ctx context.Context) (map[string]gate, error) {
	// The cache serves transactions too: gates change only through world
	// rows, and a commit touching them drops the cache (a transaction that
	// changed them reads its own, see gateSource).
	g, gen := s.cache.gateMap()
	if g != nil && !s.gatesTouched {
		return g, nil
	}
	src, gen, store := s.gateSource(gen)
	d := s.d
	q := "SELECT " + d.Quote(schema.ColID) + ", table_name, " + d.Quote(schema.ColPermission) + ", " + d.Quote(schema.ColOwner) + ", world_schema_json FROM " + d.Quote(schema.TableWorld)
	rows, err := src.reader().QueryContext(ctx, q)
	if err != nil {
		return nil, s.d.MapError(err)
	}
	defer rows.Close()
	out := map[string]gate{}
	byID := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		var perm int64
		var owner *int64
		var js []byte
		if err := rows.Scan(&id, &name, &perm, &owner, &js); err != nil {
			return nil, err
		}
		g := gate{obj: auth.Object{Permission: auth.Permission(perm)}, worldID: id, defaultPerm: int64(auth.DefaultPermission)}
		if owner != nil {
			g.obj.OwnerID = *owner
		}
		var meta struct{ DefaultPermission *int64 }
		if json.Unmarshal(js, &meta) == nil && meta.DefaultPermission != nil {
			g.defaultPerm = *meta.DefaultPermission
		}
		out[name] = g
		byID[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := src.loadGateGroups(ctx, out, byID); err != nil {
		return nil, err
	}
	if store {
		s.cache.storeGates(out, gen)
	}
	return out, nil
}

func (s *svc) loadGateGroups(ctx context.Context, out map[string]gate, byID map[int64]string) error {
	sc := s.Schema()
	wt, ok := sc.Table(schema.TableWorld)
	if !ok {
		return nil
	}
	gl, ok := wt.GroupLink()
	if !ok {
		return nil
	}
	d := s.d
	q := "SELECT " + d.Quote(gl.JoinSelf) + ", " + d.Quote(gl.JoinOther) + ", " + d.Quote(schema.ColPermission) + " FROM " + d.Quote(gl.JoinTable)
	rows, err := s.reader().QueryContext(ctx, q)
	if err != nil {
		return s.d.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var wid, gid, perm int64
		if err := rows.Scan(&wid, &gid, &perm); err != nil {
			return err
		}
		name := byID[wid]
		g := out[name]
		g.obj.Groups = append(g.obj.Groups, auth.ObjectGroup{GroupID: gid, Permission: auth.Permission(perm)})
		out[name] = g
	}
	return rows.Err()
}

// checkTable applies the table-level gate (the table's world row).
func (s *svc) checkTable(ctx context.Context, t *schema.Table, op auth.Op) (gate, error) {
	p := auth.PrincipalFrom(ctx)
	gs, err := s.gates(ctx)
	if err != nil {
		return gate{}, err
	}
	g, ok := gs[t.TableName]
	if !ok {
		g = gate{obj: auth.Object{Permission: auth.AllowAll}, defaultPerm: int64(auth.AllowAll)}
	}
	if privileged(p, op, t) {
		return g, nil
	}
	if !auth.Can(p, op, g.obj) {
		return g, forbidden(TitleTableGate)
	}
	return g, nil
}

// rowPredicate adds the SQL that keeps only rows the caller may read:
// guest bit, owner with owner bit, or a shared group with group bit.
func (w *where) rowPredicate(p auth.Principal, op auth.Op) {
	if privileged(p, op, w.v.t) {
		return
	}
	t, d := w.v.t, w.d
	perm := baseAlias + "." + d.Quote(schema.ColPermission)
	preds := []string{"(" + perm + " & ?) <> 0"}
	args := []any{int64(op.GuestBit())}
	groups := p.GroupIDs()
	switch {
	case t.TableName == schema.TableUsergroup:
		if len(groups) > 0 {
			preds = append(preds, "("+baseAlias+"."+d.Quote(schema.ColID)+" IN ("+placeholders(len(groups))+") AND ("+perm+" & ?) <> 0)")
			args = append(args, int64sAny(groups)...)
			args = append(args, int64(op.GroupBit()))
		}
	case t.TableName == schema.TableMembership:
		preds, args = membershipPredicate(d, p, op, perm, preds, args)
	case t.IsJoinTable:
		if !p.IsGuest() {
			preds = append(preds, "("+perm+" & ?) <> 0")
			args = append(args, int64(op.OwnerBit()))
		}
	default:
		if !p.IsGuest() && t.HasOwner() {
			preds = append(preds, "("+baseAlias+"."+d.Quote(schema.ColOwner)+" = ? AND ("+perm+" & ?) <> 0)")
			args = append(args, p.UserID, int64(op.OwnerBit()))
		}
		if gl, ok := t.GroupLink(); ok && len(groups) > 0 && w.shared(gl.JoinTable) {
			preds = append(preds, "EXISTS (SELECT 1 FROM "+d.Quote(gl.JoinTable)+" g WHERE g."+d.Quote(gl.JoinSelf)+" = "+baseAlias+"."+d.Quote(schema.ColID)+
				" AND g."+d.Quote(gl.JoinOther)+" IN ("+placeholders(len(groups))+") AND (g."+d.Quote(schema.ColPermission)+" & ?) <> 0)")
			args = append(args, int64sAny(groups)...)
			args = append(args, int64(op.GroupBit()))
		}
	}
	w.add("("+strings.Join(preds, " OR ")+")", args...)
}

// membershipPredicate extends the guest-bit predicate of the membership
// table: a user sees the rows that make them a member (owner bit) and the
// rows of groups they belong to (group bit), so who else is in a group they
// are not in, administrators included, stays private.
func membershipPredicate(d interface{ Quote(string) string }, p auth.Principal, op auth.Op, perm string, preds []string, args []any) ([]string, []any) {
	if p.IsGuest() {
		return preds, args
	}
	preds = append(preds, "("+baseAlias+"."+d.Quote(schema.ColOwner)+" = ? AND ("+perm+" & ?) <> 0)")
	args = append(args, p.UserID, int64(op.OwnerBit()))
	if groups := p.GroupIDs(); len(groups) > 0 {
		preds = append(preds, "("+baseAlias+"."+d.Quote(schema.ColUsergroup)+" IN ("+placeholders(len(groups))+") AND ("+perm+" & ?) <> 0)")
		args = append(args, int64sAny(groups)...)
		args = append(args, int64(op.GroupBit()))
	}
	return preds, args
}

// Service-token scopes that lift permission checks.
const (
	ScopeGlobalRead  = "GLOBAL_READ"
	ScopeGlobalWrite = "GLOBAL_WRITE"
)

// privileged reports whether p skips the checks for op on t:
// administrators always; service tokens with GLOBAL_READ for peek and read,
// and with GLOBAL_WRITE for writes to user tables only — never to system
// tables (service clients, groups, memberships, world), so a write token
// cannot mint itself more power.
func privileged(p auth.Principal, op auth.Op, t *schema.Table) bool {
	if p.IsAdmin() {
		return true
	}
	switch op {
	case auth.OpPeek, auth.OpRead:
		return p.HasScope(ScopeGlobalRead)
	case auth.OpCreate, auth.OpUpdate, auth.OpDelete, auth.OpRefer:
		return p.HasScope(ScopeGlobalWrite) && !t.System
	}
	return false
}

func int64sAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// rowObject loads a row's permission data, with its shared groups.
func (s *svc) rowObject(ctx context.Context, t *schema.Table, r Row) (auth.Object, error) {
	obj := auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}
	if t.TableName == schema.TableUsergroup {
		obj.Groups = []auth.ObjectGroup{{GroupID: r.ID, Permission: auth.Permission(r.perm)}}
		return obj, nil
	}
	gl, ok := t.GroupLink()
	if !ok {
		return obj, nil
	}
	d := s.d
	q := "SELECT " + d.Quote(gl.JoinOther) + ", " + d.Quote(schema.ColPermission) + " FROM " + d.Quote(gl.JoinTable) + " WHERE " + d.Quote(gl.JoinSelf) + " = ?"
	rows, err := s.reader().QueryContext(ctx, d.Rebind(q), r.ID)
	if err != nil {
		return obj, s.d.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var g auth.ObjectGroup
		var perm int64
		if err := rows.Scan(&g.GroupID, &perm); err != nil {
			return obj, err
		}
		g.Permission = auth.Permission(perm)
		obj.Groups = append(obj.Groups, g)
	}
	return obj, rows.Err()
}

// checkRow applies the row-level check for one operation.
func (s *svc) checkRow(ctx context.Context, t *schema.Table, r Row, op auth.Op) error {
	p := auth.PrincipalFrom(ctx)
	if privileged(p, op, t) {
		return nil
	}
	obj := auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}
	if t.TableName == schema.TableMembership {
		// The member, with the owner bit; members of the row's group, with
		// the group bit; nobody else.
		obj.Groups = []auth.ObjectGroup{{GroupID: r.fks[schema.ColUsergroup], Permission: auth.Permission(r.perm)}}
		if auth.Can(p, op, obj) {
			return nil
		}
		return forbidden(TitleRowGate)
	}
	if t.IsJoinTable {
		if auth.Can(p, op, obj) || (!p.IsGuest() && obj.Permission&op.OwnerBit() != 0) {
			return nil
		}
		return forbidden(TitleRowGate)
	}
	if auth.Can(p, op, obj) {
		return nil
	}
	full, err := s.rowObject(ctx, t, r)
	if err != nil {
		return err
	}
	if auth.Can(p, op, full) {
		return nil
	}
	return forbidden(TitleRowGate)
}

// shared reports whether a sharing join table has any row; without a
// service (or on error) it answers true, which only costs speed.
func (w *where) shared(joinTable string) bool {
	if w.s == nil {
		return true
	}
	return w.s.hasShares(joinTable)
}

// hasShares tells whether any row of a table is shared with a group,
// cached until a join table changes.
func (s *svc) hasShares(joinTable string) bool {
	if v, ok := s.cache.isShared(joinTable); ok && s.tx == nil {
		return v // inside a transaction, uncommitted shares must count
	}
	var one int
	q := "SELECT 1 FROM " + s.d.Quote(joinTable) + s.d.LimitOffset(1, 0)
	err := s.reader().QueryRowxContext(context.Background(), q).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return true
	}
	shared := err == nil
	if s.tx == nil {
		s.cache.storeShared(joinTable, shared)
	}
	return shared
}
