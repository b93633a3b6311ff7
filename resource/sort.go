package resource

import (
	"strings"

	"github.com/apiary/apiary/schema"
)

// ParseSort splits a sort= value: "a,-b,+c".
func ParseSort(text string) []SortKey {
	var out []SortKey
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k := SortKey{Column: part}
		switch part[0] {
		case '-':
			k = SortKey{Column: part[1:], Desc: true}
		case '+':
			k = SortKey{Column: part[1:]}
		}
		out = append(out, k)
	}
	return out
}

// orderBy renders ORDER BY from the requested keys or the table default,
// always ending with the id so pages are stable.
func (w *where) orderBy(keys []SortKey) (string, error) {
	if len(keys) == 0 {
		keys = ParseSort(w.v.t.DefaultOrder)
	}
	var parts []string
	for _, k := range keys {
		cv, ref, err := w.colRef("sort", k.Column)
		if err != nil {
			return "", err
		}
		if cv.fk >= 0 {
			ref = baseAlias + "." + w.d.Quote(cv.col.ColumnName)
		}
		if k.Desc {
			ref += " DESC"
		} else {
			ref += " ASC"
		}
		parts = append(parts, ref)
	}
	idDir := " DESC"
	if len(keys) > 0 && !keys[len(keys)-1].Desc {
		idDir = " ASC"
	}
	parts = append(parts, baseAlias+"."+w.d.Quote(schema.ColID)+idDir)
	return " ORDER BY " + strings.Join(parts, ", "), nil
}
