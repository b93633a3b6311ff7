package resource

import (
	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
)

// The value conversions live in resource/internal/sqlval, shared with the
// sub-packages; these short names keep the layer's code readable.

// storageKind is how a column's SQL type holds values, whatever the driver.
type storageKind = sqlval.Kind

const (
	skString = sqlval.String
	skInt    = sqlval.Int
	skFloat  = sqlval.Float
	skBool   = sqlval.Bool
	skTime   = sqlval.Time
	skBytes  = sqlval.Bytes
)

// baseAlias is the alias of the queried table in every statement.
const baseAlias = sqlval.BaseAlias

func storageKindOf(dataType string) storageKind { return sqlval.KindOf(dataType) }
func fromDB(sk storageKind, v any) any          { return sqlval.FromDB(sk, v) }
func toDB(sk storageKind, v any) (any, error)   { return sqlval.ToDB(sk, v) }
func boolInt(b bool) int64                      { return sqlval.BoolInt(b) }
func refBytes(id string) ([]byte, bool)         { return sqlval.RefBytes(id) }
func refString(v any) string                    { return sqlval.RefString(v) }
func newRefID() (string, []byte)                { return sqlval.NewRefID() }
func boolArg(sk storageKind, b bool) any        { return sqlval.BoolArg(sk, b) }
func placeholders(n int) string                 { return sqlval.Placeholders(n) }

// Truthy reads a boolean leniently, as surfaces receive it: 0/1 from the
// resource layer, or a JSON boolean or text from a client. It is
// schema.ParseBool, with any other non-zero number true and anything
// else unreadable false.
func Truthy(v any) bool {
	if b, err := schema.ParseBool(v); err == nil {
		return b
	}
	switch x := v.(type) {
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	}
	return false
}
