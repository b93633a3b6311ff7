package bulk

import (
	"strconv"
	"strings"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/storage/db"
)

// TextInsert is the multi-row INSERT of a text import (resource.TextPlan). The values every row
// of a call shares (permission, timestamps, version, owner) come first in
// each row. Where the dialect can use a parameter twice they are bound
// once per statement, as parameters 1 to shared, and each row's own
// values (its cells, then its id) follow: PostgreSQL as $N, SQLite as
// plain "?", which SQLite numbers on from the highest number seen (numbered
// ?NNN for every value would make the driver's per-parameter name lookup
// quadratic). MySQL repeats the shared values in every row.
type TextInsert struct {
	RowWidth int    // values a row carries: the cells and the id
	shared   int    // shared values: permission, now, version[, owner]
	numbered bool   // shared values are bound once
	Per      int    // rows per statement
	head     string // INSERT INTO t (...) VALUES
	mark     string // "?" or "$": the numbered placeholder prefix
	d        db.Dialect
}

// NewTextInsert plans the INSERT into table of rows carrying cols (quoted
// here) and their reference id, after the shared permission, timestamps,
// version and, with hasOwner, owner; at most batch rows per statement
// within the dialect's parameter limit.
func NewTextInsert(d db.Dialect, table string, cols []string, hasOwner bool, batch int) TextInsert {
	names := []string{d.Quote(schema.ColPermission), d.Quote(schema.ColCreatedAt), d.Quote(schema.ColUpdatedAt), d.Quote(schema.ColVersion)}
	if hasOwner {
		names = append(names, d.Quote(schema.ColOwner))
	}
	for _, c := range cols {
		names = append(names, d.Quote(c))
	}
	names = append(names, d.Quote(schema.ColReferenceID))
	x := TextInsert{RowWidth: len(cols) + 1, shared: 3 + int(sqlval.BoolInt(hasOwner)), d: d,
		head: "INSERT INTO " + d.Quote(table) + " (" + strings.Join(names, ", ") + ") VALUES "}
	limit := d.MaxBindParams()
	x.mark, x.numbered = d.NumberedPlaceholder()
	if x.numbered {
		x.Per = (limit - x.shared) / x.RowWidth
	} else {
		x.Per = limit / (x.RowWidth + x.shared + 1)
	}
	x.Per = max(1, min(max(batch, 1), x.Per))
	return x
}

// Statement is the INSERT of n rows, in d's placeholders.
func (x *TextInsert) Statement(n int) string {
	var b strings.Builder
	b.WriteString(x.head)
	if !x.numbered {
		tuple := "(" + sqlval.Placeholders(x.shared+1+x.RowWidth) + ")"
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
		}
		return x.d.Rebind(b.String())
	}
	m := x.mark
	lead := "(" + m + "1, " + m + "2, " + m + "2, " + m + "3"
	if x.shared == 4 {
		lead += ", " + m + "4"
	}
	next := x.shared + 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(lead)
		for range x.RowWidth {
			b.WriteString(", ")
			b.WriteString(m)
			if m == "$" {
				b.WriteString(strconv.Itoa(next))
			}
			next++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Args lays out the arguments of the statement of rows vals (rowWidth
// values each) in dst.
func (x *TextInsert) Args(dst, vals, shared []any) []any {
	dst = dst[:0]
	if x.numbered {
		dst = append(dst, shared...)
		return append(dst, vals...)
	}
	for r := 0; r < len(vals); r += x.RowWidth {
		dst = append(dst, shared[0], shared[1])
		dst = append(dst, shared[1:]...)
		dst = append(dst, vals[r:r+x.RowWidth]...)
	}
	return dst
}
