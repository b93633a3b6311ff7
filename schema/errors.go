package schema

import (
	"fmt"
	"strings"
)

// Error is a problem in a schema file. Its message names the file and,
// where they apply, the line, table and column, so a user can fix it.
type Error struct {
	File   string
	Line   int
	Table  string
	Column string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Table != "" {
		fmt.Fprintf(&b, "table %q: ", e.Table)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Msg)
	return b.String()
}
