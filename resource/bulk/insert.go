package bulk

import (
	"strings"

	"github.com/apiary/apiary/resource/internal/sqlval"
	"github.com/apiary/apiary/storage/db"
)

// Inserts splits n rows of the same quoted columns into as few multi-row
// INSERTs into table as d's parameter limit allows, calling fn with each
// statement (? placeholders) and the range [start, end) of rows it
// carries; the caller binds those rows' values in order. It stops at the
// first error of fn.
func Inserts(d db.Dialect, table string, cols []string, n int, fn func(sqlText string, start, end int) error) error {
	if n == 0 || len(cols) == 0 {
		return nil
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = d.Quote(c)
	}
	head := "INSERT INTO " + d.Quote(table) + " (" + strings.Join(quoted, ", ") + ") VALUES "
	tuple := "(" + sqlval.Placeholders(len(cols)) + ")"
	per := max(1, d.MaxBindParams()/len(cols))
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		var b strings.Builder
		b.Grow(len(head) + (end-start)*(len(tuple)+2))
		b.WriteString(head)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
		}
		if err := fn(b.String(), start, end); err != nil {
			return err
		}
	}
	return nil
}
