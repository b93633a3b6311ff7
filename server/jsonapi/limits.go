package jsonapi

// Parser limits of the list query (docs/api.md): far above what a real
// client sends, low enough that one URL cannot buy seconds of work or a
// statement the database refuses.
const (
	// MaxConditions bounds the conditions of query=.
	MaxConditions = 100
	// MaxListItems bounds the names in include=, fields= and sort=.
	MaxListItems = 100
	// MaxFilterIDs bounds the reference ids of one relation filter.
	MaxFilterIDs = 1000
)

// limitedList is commaList refusing more than limit items (before the
// items are deduplicated, which costs time in their square).
func limitedList(key string, vals []string, limit int) ([]string, error) {
	out := commaList(vals)
	if len(out) > limit {
		return nil, badParam(key, "%s lists more than %d items", key, limit)
	}
	return out, nil
}
