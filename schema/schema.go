package schema

import "sync/atomic"

// Schema is the compiled, merged model that every request reads. It is
// immutable once built: a schema change builds a new one and swaps it in.
type Schema struct {
	Tables        []*Table
	Relations     []Relation
	Actions       []Action
	StateMachines []StateMachine
	Exchanges     []map[string]any
	Imports       []Import
	Streams       []map[string]any
	Tasks         []map[string]any
	EnableGraphQL *bool

	byName map[string]*Table
}

// Table returns the table called name.
func (s *Schema) Table(name string) (*Table, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Action returns the action called name on table onType.
func (s *Schema) Action(onType, name string) (*Action, bool) {
	for i := range s.Actions {
		if s.Actions[i].Name == name && s.Actions[i].OnType == onType {
			return &s.Actions[i], true
		}
	}
	return nil, false
}

// Column returns the column called name.
func (t *Table) Column(name string) (*Column, bool) {
	for i := range t.Columns {
		if t.Columns[i].ColumnName == name {
			return &t.Columns[i], true
		}
	}
	return nil, false
}

// Link returns the API relation called name.
func (t *Table) Link(name string) (*Link, bool) {
	for i := range t.Links {
		if t.Links[i].Name == name {
			return &t.Links[i], true
		}
	}
	return nil, false
}

// HasOwner reports whether rows of the table carry an owner column. Join
// tables may have a user_account_id column too, but it is a link end, not
// an owner.
func (t *Table) HasOwner() bool {
	if t.IsJoinTable || t.TableName == TableUsergroup || IsAuditTableName(t.TableName) {
		return false
	}
	_, ok := t.Column(ColOwner)
	return ok
}

// GroupLink returns the link to the table's row-sharing usergroup join
// table, when it has one.
func (t *Table) GroupLink() (*Link, bool) {
	l, ok := t.Link(ColUsergroup)
	if !ok || !l.IsJoin() || l.Target != TableUsergroup {
		return nil, false
	}
	return l, true
}

// Holder keeps the live schema behind an atomic pointer so a reload can
// swap it while requests are in flight. A request calls Load once and uses
// that snapshot throughout.
type Holder struct{ p atomic.Pointer[Schema] }

// NewHolder returns a Holder serving s.
func NewHolder(s *Schema) *Holder {
	h := &Holder{}
	h.p.Store(s)
	return h
}

// Load returns the current schema.
func (h *Holder) Load() *Schema { return h.p.Load() }

// Store makes s the current schema.
func (h *Holder) Store(s *Schema) { h.p.Store(s) }
