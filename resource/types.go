package resource

import (
	"context"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

// Service is the resource layer as every surface sees it: the whole
// contract, declared here and asserted on the implementation at compile
// time, so no caller discovers a capability by type assertion. The
// Principal travels in ctx (auth.WithPrincipal); a missing one is a guest.
// Listeners outside HTTP depend on the smaller Sidecar instead.
type Service interface {
	Core
	// BulkCreator writes many rows of one table at once (imports).
	BulkCreator
	// RowLister reads a table page by page without counting it (exports).
	RowLister
	// TextImporter writes text rows without an Input per row (imports).
	TextImporter
	// RowStreamer reads a whole table without a Row per row (exports).
	RowStreamer
	// Stamper gives the read stamp response caches key on.
	Stamper
	// ChildReader reads a few columns of one parent's rows without a Row
	// per row (a mailbox's messages).
	ChildReader
}

// Core is create, read, update, delete, links, actions' checks, sign-in,
// change events and the schema: what every surface uses.
type Core interface {
	List(ctx context.Context, table string, q Query) (Page, error)
	Get(ctx context.Context, table, refID string, q Query) (Row, error)
	Create(ctx context.Context, table string, in Input) (Row, error)
	Update(ctx context.Context, table, refID string, in Input) (Row, error)
	Delete(ctx context.Context, table, refID string) error
	// Related lists the rows at the other end of relation from one row.
	Related(ctx context.Context, table, refID, relation string, q Query) (Page, error)
	// Aggregate runs an aggregate query (contract core.md §8) over the rows
	// of table the caller may read.
	Aggregate(ctx context.Context, table string, q AggregateQuery) ([]Row, error)
	// Linkage returns the ids a relation of one row points at.
	Linkage(ctx context.Context, table, refID, relation string) ([]Ref, error)
	// AddLinks links targets to a row (to-one: sets the FK to the first).
	AddLinks(ctx context.Context, table, refID, relation string, targets []Ref) error
	// RemoveLinks unlinks targets from a row (to-one: clears the FK).
	RemoveLinks(ctx context.Context, table, refID, relation string, targets []Ref) error
	// InTx runs fn with a Service bound to one transaction; changes are
	// published only after it commits.
	InTx(ctx context.Context, fn func(tx Service) error) error
	// Authenticate checks an email and password and returns the principal.
	Authenticate(ctx context.Context, email, password string) (auth.Principal, error)
	// PrincipalByEmail loads a user and their groups (cached briefly).
	PrincipalByEmail(ctx context.Context, email string) (auth.Principal, error)
	// CheckExecute applies the execute checks of an action call and
	// returns the subject row when subjectRef is given.
	CheckExecute(ctx context.Context, table, action, subjectRef string) (Row, error)
	// CheckRow loads one row as the system and checks that the caller may
	// perform op on it (owner, group and guest bits; no table gate), for
	// surfaces that guard something other than the row itself: a site's
	// files need Execute, FTP needs Peek to Delete.
	CheckRow(ctx context.Context, table, refID string, op auth.Op) (Row, error)
	// BecomeAdministrator makes the caller the first administrator and
	// locks the instance down.
	BecomeAdministrator(ctx context.Context) error
	// TrackStart creates a {typeName}_state row for subjectRef in the
	// initial state of the state machine smdRef (contract core.md §11.1).
	TrackStart(ctx context.Context, smdRef, typeName, subjectRef string) (Row, error)
	// TrackEvent fires eventName on the {typeName}_state row stateRef.
	TrackEvent(ctx context.Context, typeName, stateRef, eventName string) (Row, error)
	// VerifySecret finds the one row of table whose columns equal match (as
	// the caller sees it) and checks plaintext against its bcrypt column; the
	// row is returned only on a match.
	VerifySecret(ctx context.Context, table, column string, match map[string]any, plaintext string) (Row, bool, error)
	// Invalidate drops cached permission and user data (after a schema
	// reload or a change made outside this layer).
	Invalidate()
	// Subscribe registers fn for committed changes; cancel removes it.
	Subscribe(fn func(Change)) (cancel func())
	// TablePermission returns the table's world-row permission data
	// (owner, permission, shared groups) for table-level checks.
	TablePermission(ctx context.Context, table string) (auth.Object, error)
	// Schema is the live schema snapshot.
	Schema() *schema.Schema
}

// Query is what a list or get asks for. Zero values mean defaults.
type Query struct {
	PageNumber int // 1-based; 0 = 1
	PageSize   int // 0 = DefaultPageSize
	Sort       []SortKey
	Keyword    string      // filter=: text search over indexed name-like columns
	Conditions []Condition // query=: JSON filter
	Include    []string    // relation names to embed in Included ("*" = every to-one)
	Fields     []string    // sparse fields (always with __type, reference_id, permission, owner)
	// RelFilters keeps rows linked to any of the given ids, by relation name.
	RelFilters map[string][]string
	After      string // cursor: rows after this reference id
	Before     string
}

// Page sizes, as Daptin: default 10; Apiary caps a page at MaxPageSize.
const (
	DefaultPageSize = 10
	MaxPageSize     = 1000
)

// SortKey is one ORDER BY column.
type SortKey struct {
	Column string
	Desc   bool
}

// Condition is one entry of the query= JSON filter (contract core.md §5.5).
type Condition struct {
	Column       string `json:"column"`
	Operator     string `json:"operator"`
	Value        any    `json:"value"`
	LogicalGroup string `json:"logical_group,omitempty"`
}

// Ref identifies a row of a table by its public id.
type Ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Input is the body of a create or update.
type Input struct {
	ID            string         // client-chosen id on create (data.id)
	Attributes    map[string]any // column name -> JSON value
	Relationships map[string]RelInput
	// ValidateOnly runs every check and returns the row that would be
	// written, storing nothing.
	ValidateOnly bool
	// Owner (a user_account id) and Permission set a new row's owner and
	// permission on create. Only the system principal may use them (the
	// mail sidecar files messages for their recipients); others get 403.
	Owner      string
	Permission *int64
}

// RelInput is one relationships entry: data null, one ref, or a list.
type RelInput struct {
	Null bool
	Refs []Ref
}

// Row is one resource as the API shows it.
type Row struct {
	Table string
	ID    int64  // internal; never leaves the server
	RefID string // public UUID
	// Attrs holds every API attribute including __type, reference_id,
	// permission, created_at, updated_at and foreign keys as UUIDs.
	Attrs map[string]any
	// Rel holds loaded relationship data by relation name: a *Ref (or nil)
	// for to-one, []Ref for to-many. Relations not loaded are absent;
	// the encoder shows unloaded to-many as [] and to-one from Attrs.
	Rel map[string]any
	// Included holds the rows a Get embedded for its include list.
	Included []Row

	owner   int64 // internal owner id, 0 = none
	perm    int64
	version int64
	fks     map[string]int64 // internal ids of to-one foreign keys
}

// Page is a list result.
type Page struct {
	Rows     []Row
	Total    int64
	Number   int
	Size     int
	Included []Row
}

// Op names a change.
type Op string

// Change operations.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Change is published to subscribers after a write commits.
type Change struct {
	Table string
	Op    Op
	RefID string
	Row   map[string]any // attributes after the change (nil on delete)
	// Before is the row's attributes before an update or a delete (nil on
	// create, and on updates made through relationship endpoints), so a
	// subscriber can act on what went away.
	Before map[string]any
	// Object is the row's permission data, so subscribers can check reads.
	// On delete it includes the groups the row was shared with.
	Object auth.Object
	At     time.Time
}
