package schema

import (
	"fmt"
	"slices"
)

// checkIndexes checks the table's non-unique composite indexes once its
// columns are final (foreign-key columns come from relations): each
// names at least one column, every name is a column of the table and
// none twice. An index declared twice (a later file repeating it) is
// kept once.
func (c *compiler) checkIndexes(t *Table) error {
	var out [][]string
	for _, ix := range t.Indexes {
		if len(ix) == 0 {
			return &Error{File: c.origin[t.TableName], Table: t.TableName, Msg: "an index names no column"}
		}
		for i, name := range ix {
			if columnIndex(t.Columns, name) < 0 {
				return &Error{File: c.origin[t.TableName], Table: t.TableName, Column: name, Msg: fmt.Sprintf("index %v names an unknown column", ix)}
			}
			if slices.Contains(ix[:i], name) {
				return &Error{File: c.origin[t.TableName], Table: t.TableName, Column: name, Msg: fmt.Sprintf("index %v names a column twice", ix)}
			}
		}
		if !slices.ContainsFunc(out, func(have []string) bool { return slices.Equal(have, ix) }) {
			out = append(out, ix)
		}
	}
	t.Indexes = out
	return nil
}
