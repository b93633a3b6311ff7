package resource

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// State tracking (contract core.md §11.1): a table with state tracking has a
// {t}_state table whose rows hold the current state of one {t} row in one
// state machine (an smd row).
const (
	colCurrentState   = "current_state"
	stateSuffix       = "_state"
	auditSuffix       = "_audit"
	opStateTransition = "state_transition"
)

// stateSchema names the tables and columns of one tracked type.
type stateSchema struct {
	subject *schema.Table // {t}
	state   *schema.Table // {t}_state
	smdCol  string        // {t}_smd: FK to smd
	ofCol   string        // is_state_of_{t}: FK to {t}
}

// stateTables resolves the tables of a tracked type. A type without a
// usable {t}_state table is a bad request.
func stateTables(sc *schema.Schema, typeName string) (stateSchema, error) {
	ss := stateSchema{smdCol: typeName + "_smd", ofCol: "is_state_of_" + typeName}
	subject, ok := sc.Table(typeName)
	if !ok {
		return ss, &Error{Kind: ErrBadRequest, Title: "no state tracking", Detail: fmt.Sprintf("there is no table %q", typeName)}
	}
	state, ok := sc.Table(typeName + stateSuffix)
	if !ok || subject.IsJoinTable {
		return ss, &Error{Kind: ErrBadRequest, Title: "no state tracking", Detail: fmt.Sprintf("table %s has no state tracking (IsStateTrackingEnabled)", typeName)}
	}
	for _, c := range []string{colCurrentState, ss.smdCol, ss.ofCol} {
		if _, ok := state.Column(c); !ok {
			return ss, &Error{Kind: ErrBadRequest, Title: "no state tracking", Detail: fmt.Sprintf("table %s has no column %s", state.TableName, c)}
		}
	}
	ss.subject, ss.state = subject, state
	return ss, nil
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
	ss, err := stateTables(sc, typeName)
	if err != nil {
		return Row{}, err
	}
	subject, err := s.load(ctx, ss.subject, subjectRef)
	if err != nil {
		return Row{}, err
	}
	if err := s.checkRow(ctx, ss.subject, subject, auth.OpRead); err != nil {
		return Row{}, err
	}
	initial, _ := machine.Attrs["initial_state"].(string)
	if initial == "" {
		return Row{}, &Error{Kind: ErrBadRequest, Title: "invalid state machine", Detail: fmt.Sprintf("state machine %v has no initial state", machine.Attrs["name"])}
	}
	perm, err := s.defaultPermission(ctx, ss.state)
	if err != nil {
		return Row{}, err
	}
	p := auth.PrincipalFrom(ctx)
	now := s.now()
	_, refB := newRefID()
	ch := &changes{set: map[string]bool{}}
	ch.put(colCurrentState, initial)
	ch.put(ss.smdCol, machine.ID)
	ch.put(ss.ofCol, subject.ID)
	ch.put(schema.ColReferenceID, refB)
	ch.put(schema.ColPermission, perm)
	ch.put(schema.ColCreatedAt, now)
	ch.put(schema.ColUpdatedAt, now)
	ch.put(schema.ColVersion, int64(1))
	if ss.state.HasOwner() && !p.IsGuest() && !p.System {
		ch.put(schema.ColOwner, p.UserID)
	}
	id, err := s.insert(ctx, ss.state, ch)
	if err != nil {
		return Row{}, err
	}
	if err := s.defaultGroups(ctx, sc, ss.state, id); err != nil {
		return Row{}, err
	}
	r, err := s.loadByID(ctx, ss.state, id)
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
	ss, err := stateTables(sc, typeName)
	if err != nil {
		return Row{}, err
	}
	old, err := s.load(ctx, ss.state, stateRef)
	if err != nil {
		return Row{}, err
	}
	if err := s.checkRow(ctx, ss.state, old, auth.OpExecute); err != nil {
		return Row{}, err
	}
	ev, err := s.stateEvent(ctx, sc, ss, old, eventName)
	if err != nil {
		return Row{}, err
	}
	if readVersion == 0 {
		readVersion = old.version
	}
	if err := s.auditTransition(ctx, sc, ss.state, old); err != nil {
		return Row{}, err
	}
	d := s.d
	q := "UPDATE " + d.Quote(ss.state.TableName) + " SET " + d.Quote(colCurrentState) + " = ?, " +
		d.Quote(schema.ColVersion) + " = " + d.Quote(schema.ColVersion) + " + 1, " + d.Quote(schema.ColUpdatedAt) + " = ? WHERE " +
		d.Quote(schema.ColID) + " = ? AND " + d.Quote(schema.ColVersion) + " = ?"
	res, err := s.tx.ExecContext(ctx, d.Rebind(q), ev.Dst, s.now(), old.ID, readVersion)
	if err != nil {
		return Row{}, s.mapDBError(d.MapError(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return Row{}, conflict("%s %s was changed by someone else; read it again and retry", ss.state.TableName, stateRef)
	}
	r, err := s.loadByID(ctx, ss.state, old.ID)
	if err != nil {
		return Row{}, err
	}
	s.emit(Change{Table: r.Table, Op: OpUpdate, RefID: r.RefID, Row: r.Attrs, Object: auth.Object{OwnerID: r.owner, Permission: auth.Permission(r.perm)}})
	return r, nil
}

// stateEvent finds eventName in the state row's machine and checks that it
// may fire from the row's current state.
func (s *svc) stateEvent(ctx context.Context, sc *schema.Schema, ss stateSchema, st Row, eventName string) (schema.StateEvent, error) {
	smdT, err := table(sc, schema.TableSMD)
	if err != nil {
		return schema.StateEvent{}, err
	}
	smdID := st.fks[ss.smdCol]
	if smdID == 0 {
		return schema.StateEvent{}, &Error{Kind: ErrBadRequest, Title: "invalid transition", Detail: fmt.Sprintf("%s %s has no state machine", ss.state.TableName, st.RefID)}
	}
	machine, err := s.loadByID(ctx, smdT, smdID)
	if err != nil {
		return schema.StateEvent{}, err
	}
	events, err := parseEvents(machine.Attrs["events"])
	if err != nil {
		return schema.StateEvent{}, fmt.Errorf("state machine %v: events: %w", machine.Attrs["name"], err)
	}
	current, _ := st.Attrs[colCurrentState].(string)
	for _, ev := range events {
		if ev.Name != eventName {
			continue
		}
		if !slices.Contains(ev.Src, current) {
			return schema.StateEvent{}, &Error{Kind: ErrBadRequest, Title: "invalid transition",
				Detail: fmt.Sprintf("event %s is not allowed from state %s", eventName, current)}
		}
		return ev, nil
	}
	return schema.StateEvent{}, &Error{Kind: ErrBadRequest, Title: "invalid transition",
		Detail: fmt.Sprintf("state machine %v has no event %s", machine.Attrs["name"], eventName)}
}

// parseEvents reads the smd events column: a JSON list of events, as text
// or already decoded.
func parseEvents(v any) ([]schema.StateEvent, error) {
	var raw []byte
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if len(raw) == 0 {
		return nil, nil
	}
	var events []schema.StateEvent
	if err := json.Unmarshal(raw, &events); err != nil {
		return nil, err
	}
	return events, nil
}

// auditTransition writes the state row as it was before a transition into
// {t}_state_audit, when that table exists.
func (s *svc) auditTransition(ctx context.Context, sc *schema.Schema, st *schema.Table, old Row) error {
	if _, ok := sc.Table(st.TableName + auditSuffix); !ok {
		return nil
	}
	audited := *st
	audited.IsAuditEnabled = true
	return s.audit(ctx, sc, &audited, old, opStateTransition)
}
