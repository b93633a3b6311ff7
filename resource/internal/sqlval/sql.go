package sqlval

import (
	"strings"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// BaseAlias is the alias of the queried table in every statement.
const BaseAlias = "t"

// BoolArg binds a boolean for a column of kind sk: a boolean where the
// column is one, else 0 or 1.
func BoolArg(sk Kind, b bool) any {
	if sk == Bool {
		return b
	}
	return BoolInt(b)
}

// SubqueryArg stands for "the id of the row of Table with this reference
// id"; Finish expands it into a scalar subquery.
type SubqueryArg struct {
	Table string
	Ref   []byte
}

// Finish expands subquery arguments into SQL and returns the final text.
func Finish(d db.Dialect, sqlText string, args []any) (string, []any) {
	has := false
	for _, a := range args {
		if _, ok := a.(SubqueryArg); ok {
			has = true
			break
		}
	}
	if !has {
		return sqlText, args
	}
	var b strings.Builder
	out := make([]any, 0, len(args))
	ai := 0
	for i := 0; i < len(sqlText); i++ {
		if sqlText[i] != '?' || ai >= len(args) {
			b.WriteByte(sqlText[i])
			continue
		}
		if sq, ok := args[ai].(SubqueryArg); ok {
			b.WriteString("(SELECT " + d.Quote(schema.ColID) + " FROM " + d.Quote(sq.Table) + " WHERE " + d.Quote(schema.ColReferenceID) + " = ?)")
			out = append(out, sq.Ref)
		} else {
			b.WriteByte('?')
			out = append(out, args[ai])
		}
		ai++
	}
	return b.String(), out
}

// Placeholders is n comma-separated question marks.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
