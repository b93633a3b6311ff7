package resource

import (
	"context"
	"errors"
	"fmt"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource/statemachine"
	"github.com/apiary/apiary/schema"
)

// State tracking (contract core.md §11.1): a table with state tracking has a
// {t}_state table whose rows hold the current state of one {t} row in one
// state machine (an smd row). The rules are in resource/statemachine; this
// file applies them in the layer's transactions.

// stateErr answers the rules' refusals as a bad request.
func stateErr(err error) error {
	var se *statemachine.Error
	if errors.As(err, &se) {
		return &Error{Kind: ErrBadRequest, Title: se.Title, Detail: se.Detail}
	}
	return err
}

// TrackStart puts a row of typeName under the state machine smdRef: it
// creates a {t}_state row in the machine's initial state, owned by the
// caller. The caller needs execute permission on the smd row and read
// permission on the subject row.
func (s *svc) TrackStart(ctx context.Context, smdRef, typeName, subjectRef string) (Row, error) {
	var out Row
	err := s.write(ctx, func(tx *svc) error {
		r, err := tx.trackStart(ctx, smdRef, typeName, subjectRef)
		out = r
		return err
	})
	return out, err
}

func (s *svc) trackStart(ctx context.Context, smdRef, typeName, subjectRef string) (Row, error) {
	sc := s.Schema()
	smdT, err := table(sc, schema.TableSMD)
	if err != nil {
		return Row{}, err
	}
	machine, err := s.load(ctx, smdT, smdRef)
	if err != nil {
		return Row{}, err
	}
	if err := s.checkRow(ctx, smdT, machine, auth.OpExecute); err != nil {
		return Row{}, err
	}
	ss, err := statemachine.Resolve(sc, typeName)
	if err != nil {
		return Row{}, stateErr(err)
	}
	subject, err := s.load(ctx, ss.Subject, subjectRef)
	if err != nil {
		return Row{}, err
	}
	if err := s.checkRow(ctx, ss.Subject, subject, auth.OpRead); err != nil {
		return Row{}, err
	}
	initial, err := statemachine.Initial(machine.Attrs)
	if err != nil {
		return Row{}, stateErr(err)
	}
	perm, err := s.defaultPermission(ctx, ss.State)
	if err != nil {
		return Row{}, err
	}
	p := auth.PrincipalFrom(ctx)
	now := s.now()
	_, refB := newRefID()
	ch := &changes{set: map[string]bool{}}
	ch.put(statemachine.CurrentState, initial)
	ch.put(ss.SMDCol, machine.ID)
	ch.put(ss.OfCol, subject.ID)
	ch.put(schema.ColReferenceID, refB)
	ch.put(schema.ColPermission, perm)
	ch.put(schema.ColCreatedAt, now)
	ch.put(schema.ColUpdatedAt, now)
	ch.put(schema.ColVersion, int64(1))
	if ss.State.HasOwner() && !p.IsGuest() && !p.System {
		ch.put(schema.ColOwner, p.UserID)
	}
	id, err := s.insert(ctx, ss.State, ch)
	if err != nil {
		return Row{}, err
	}
	if err := s.defaultGroups(ctx, sc, ss.State, id); err != nil {
		return Row{}, err
	}
	r, err := s.loadByID(ctx, ss.State, id)
	if err != nil {
		return Row{}, err
	}
	s.emit(Change{Table: r.Table, Op: OpCreate, RefID: r.RefID, Row: r.Attrs, Object: auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}})
	return r, nil
}

// defaultPermission is the permission new rows of t get (the table's
// DefaultPermission as its world row records it).
func (s *svc) defaultPermission(ctx context.Context, t *schema.Table) (int64, error) {
	gs, err := s.gates(ctx)
	if err != nil {
		return 0, err
	}
	if g, ok := gs[t.TableName]; ok {
		return g.defaultPerm, nil
	}
	return int64(auth.AllowAll), nil
}

// TrackEvent fires eventName on the state row stateRef of typeName: the
// row's current state must be one of the event's sources; it moves to the
// event's destination. Guests are refused; the caller needs execute
// permission on the state row.
func (s *svc) TrackEvent(ctx context.Context, typeName, stateRef, eventName string) (Row, error) {
	return s.trackEvent(ctx, typeName, stateRef, eventName, 0)
}

// trackEvent is TrackEvent; a non-zero readVersion replaces the version
// read from the row in the optimistic lock (tests use it to act stale).
func (s *svc) trackEvent(ctx context.Context, typeName, stateRef, eventName string, readVersion int64) (Row, error) {
	if auth.PrincipalFrom(ctx).IsGuest() {
		return Row{}, &Error{Kind: ErrUnauthenticated, Title: "sign in first", Detail: "state machine events need a signed-in user"}
	}
	var out Row
	err := s.write(ctx, func(tx *svc) error {
		r, err := tx.transition(ctx, typeName, stateRef, eventName, readVersion)
		out = r
		return err
	})
	return out, err
}

func (s *svc) transition(ctx context.Context, typeName, stateRef, eventName string, readVersion int64) (Row, error) {
	sc := s.Schema()
	ss, err := statemachine.Resolve(sc, typeName)
	if err != nil {
		return Row{}, stateErr(err)
	}
	old, err := s.load(ctx, ss.State, stateRef)
	if err != nil {
		return Row{}, err
	}
	if err := s.checkRow(ctx, ss.State, old, auth.OpExecute); err != nil {
		return Row{}, err
	}
	ev, err := s.stateEvent(ctx, sc, ss, old, eventName)
	if err != nil {
		return Row{}, err
	}
	if readVersion == 0 {
		readVersion = old.version
	}
	if err := s.auditTransition(ctx, sc, ss.State, old); err != nil {
		return Row{}, err
	}
	d := s.d
	q := "UPDATE " + d.Quote(ss.State.TableName) + " SET " + d.Quote(statemachine.CurrentState) + " = ?, " +
		d.Quote(schema.ColVersion) + " = " + d.Quote(schema.ColVersion) + " + 1, " + d.Quote(schema.ColUpdatedAt) + " = ? WHERE " +
		d.Quote(schema.ColID) + " = ? AND " + d.Quote(schema.ColVersion) + " = ?"
	res, err := s.tx.ExecContext(ctx, d.Rebind(q), ev.Dst, s.now(), old.ID, readVersion)
	if err != nil {
		return Row{}, s.mapDBError(d.MapError(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return Row{}, conflict("%s %s was changed by someone else; read it again and retry", ss.State.TableName, stateRef)
	}
	r, err := s.loadByID(ctx, ss.State, old.ID)
	if err != nil {
		return Row{}, err
	}
	s.emit(Change{Table: r.Table, Op: OpUpdate, RefID: r.RefID, Row: r.Attrs, Object: auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}})
	return r, nil
}

// stateEvent finds eventName in the state row's machine and checks that it
// may fire from the row's current state.
func (s *svc) stateEvent(ctx context.Context, sc *schema.Schema, ss statemachine.Tables, st Row, eventName string) (schema.StateEvent, error) {
	smdT, err := table(sc, schema.TableSMD)
	if err != nil {
		return schema.StateEvent{}, err
	}
	smdID := st.fks[ss.SMDCol]
	if smdID == 0 {
		return schema.StateEvent{}, &Error{Kind: ErrBadRequest, Title: "invalid transition", Detail: fmt.Sprintf("%s %s has no state machine", ss.State.TableName, st.RefID)}
	}
	machine, err := s.loadByID(ctx, smdT, smdID)
	if err != nil {
		return schema.StateEvent{}, err
	}
	current, _ := st.Attrs[statemachine.CurrentState].(string)
	ev, err := statemachine.Fire(machine.Attrs, current, eventName)
	return ev, stateErr(err)
}

// auditTransition writes the state row as it was before a transition into
// {t}_state_audit, when that table exists.
func (s *svc) auditTransition(ctx context.Context, sc *schema.Schema, st *schema.Table, old Row) error {
	if _, ok := sc.Table(st.TableName + statemachine.AuditSuffix); !ok {
		return nil
	}
	audited := *st
	audited.IsAuditEnabled = true
	return s.audit(ctx, sc, &audited, old, statemachine.OpTransition)
}
