package aggregate

import (
	"context"
	"database/sql"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// Host is what the compiler needs from the resource layer: the dialect,
// the caller's gates and read predicate, typed filter values and a reader.
// The resource layer implements it for one caller (the principal in ctx)
// and one transaction or none.
type Host interface {
	Dialect() db.Dialect
	// Gate applies the aggregate table gate to a joined table: a
	// signed-in caller with Peek and Execute on its world row.
	Gate(ctx context.Context, t *schema.Table) error
	// Column resolves a column of t by name.
	Column(t *schema.Table, name string) (*Column, bool)
	// ReadPredicate is the caller's row read predicate over t aliased
	// "t" ("" when every row is readable) and its arguments.
	ReadPredicate(ctx context.Context, t *schema.Table) (string, []any)
	// FilterArg converts a literal compared with column c of t to the
	// column's storage type (foreign keys and reference_id take UUIDs); a
	// value that does not fit is an *Error.
	FilterArg(t *schema.Table, c *Column, v any) (any, error)
	// Query runs a read statement (placeholders already rebound).
	Query(ctx context.Context, sqlText string, args ...any) (*sql.Rows, error)
}

// Column is one column of a table as the compiler sees it.
type Column struct {
	Col    *schema.Column
	Kind   sqlval.Kind
	Secret schema.SecretKind
	// API is set for columns shown in attributes.
	API bool
	// FK names the table a foreign key points at; "" for other columns.
	FK string
}

// Error is a query the compiler refuses: the client's mistake, answered
// with a 400 titled "Invalid aggregation query".
type Error struct{ Detail string }

func (e *Error) Error() string { return "Invalid aggregation query: " + e.Detail }

// baseAlias is the alias of the queried table.
const baseAlias = sqlval.BaseAlias
