package jsonapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

// Query parameter names (contract core.md §5.4).
const (
	paramNumber     = "page[number]"
	paramSize       = "page[size]"
	paramAfter      = "page[after]"
	paramBefore     = "page[before]"
	paramSort       = "sort"
	paramFilter     = "filter"
	paramFilterList = "filter[]"
	paramQuery      = "query"
	paramIncluded   = "included_relations"
	paramInclude    = "include"
	paramFields     = "fields"
)

// ignoredParams are accepted and have no effect here. Every other unknown
// key is a relation filter.
var ignoredParams = map[string]bool{
	"page[offset]": true, // not supported by Daptin either
	"page[limit]":  true,
	"group":        true, // parsed but unused by Daptin
	"token":        true, // auth token transport (?token=)
}

// maxPageNumber keeps from/to arithmetic far from overflow.
const maxPageNumber = 1 << 31

// parsedQuery is a resource.Query plus what the links need to know about
// the request.
type parsedQuery struct {
	resource.Query
	// NumberSent and SizeSent tell whether page[number] / page[size] were
	// in the request.
	NumberSent, SizeSent bool
	// IncludeSent tells whether any include was requested.
	IncludeSent bool
}

// number and size are the effective page number and size.
func (q parsedQuery) number() int {
	if q.PageNumber < 1 {
		return 1
	}
	return q.PageNumber
}

func (q parsedQuery) size() int {
	if q.PageSize < 1 {
		return resource.DefaultPageSize
	}
	return q.PageSize
}

// requestQuery is r's query values, nil (read like an empty map) when the
// URL has no query, without url.ParseQuery's empty map.
func requestQuery(r *http.Request) url.Values {
	if r.URL.RawQuery == "" {
		return nil
	}
	return r.URL.Query()
}

// parseQuery turns URL query values into a resource query.
func parseQuery(v url.Values) (parsedQuery, error) {
	var pq parsedQuery
	q := &pq.Query
	// Keys in a fixed order, so merged lists (include + included_relations)
	// do not depend on map iteration.
	keys := make([]string, 0, len(v))
	for key := range v {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		vals := v[key]
		switch {
		case (key == paramNumber || key == paramSize) && strings.TrimSpace(last(vals)) == "":
			// an empty page[number]= or page[size]= means the default
		case key == paramNumber:
			n, err := pageInt(key, vals)
			if err != nil {
				return pq, err
			}
			if n > maxPageNumber {
				return pq, badParam(key, "%s", "page number is too large")
			}
			q.PageNumber, pq.NumberSent = max(n, 1), true
		case key == paramSize:
			n, err := pageInt(key, vals)
			if err != nil {
				return pq, err
			}
			q.PageSize, pq.SizeSent = min(max(n, 1), resource.MaxPageSize), true
		case key == paramAfter || key == paramBefore:
			id := last(vals)
			if id != "" && !isUUID(id) {
				return pq, badParam(key, "%s is not a UUID", quote(id))
			}
			if key == paramAfter {
				q.After = id
			} else {
				q.Before = id
			}
		case key == paramSort:
			list, err := limitedList(key, vals, MaxListItems)
			if err != nil {
				return pq, err
			}
			for _, c := range list {
				k := resource.SortKey{Column: c}
				switch c[0] {
				case '-':
					k = resource.SortKey{Column: strings.TrimSpace(c[1:]), Desc: true}
				case '+':
					k.Column = strings.TrimSpace(c[1:])
				}
				if k.Column == "" {
					return pq, badParam(key, "%s", "empty sort column")
				}
				q.Sort = append(q.Sort, k)
			}
		case key == paramFilter || key == paramFilterList:
			if kw := strings.TrimSpace(last(vals)); kw != "" {
				q.Keyword = kw
			}
		case key == paramQuery:
			conds, err := parseConditions(last(vals))
			if err != nil {
				return pq, err
			}
			q.Conditions = conds
		case key == paramIncluded || key == paramInclude:
			pq.IncludeSent = true
			list, err := limitedList(key, vals, MaxListItems)
			if err != nil {
				return pq, err
			}
			q.Include = appendUnique(q.Include, list...)
		case key == paramFields:
			list, err := limitedList(key, vals, MaxListItems)
			if err != nil {
				return pq, err
			}
			q.Fields = appendUnique(q.Fields, list...)
		case ignoredParams[key], strings.HasPrefix(key, "fields["), strings.HasPrefix(key, "page["):
			// fields[type] is checked and applied by the fieldsets middleware
		default:
			ids, err := limitedList(key, vals, MaxFilterIDs)
			if err != nil {
				return pq, err
			}
			if len(ids) == 0 {
				continue // ?name= filters nothing
			}
			if q.RelFilters == nil {
				q.RelFilters = map[string][]string{}
			}
			q.RelFilters[key] = appendUnique(q.RelFilters[key], ids...)
		}
	}
	return pq, nil
}

// pageInt parses a non-negative page[...] integer.
func pageInt(key string, vals []string) (int, error) {
	s := strings.TrimSpace(last(vals))
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, badParam(key, "%s must be a non-negative integer, got %s", key, quote(s))
	}
	return n, nil
}

// parseConditions decodes the query= JSON filter.
func parseConditions(s string) ([]resource.Condition, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var conds []resource.Condition
	if err := dec.Decode(&conds); err != nil {
		return nil, badParam(paramQuery, "query must be a JSON array of {column, operator, value, logical_group}: %v", err)
	}
	if dec.More() {
		return nil, badParam(paramQuery, "%s", "query has data after the JSON array")
	}
	if len(conds) > MaxConditions {
		return nil, badParam(paramQuery, "query has more than %d conditions", MaxConditions)
	}
	for i := range conds {
		v, err := plainValue(conds[i].Value)
		if err != nil {
			return nil, badParam(paramQuery, "condition %d: %v", i, err)
		}
		conds[i].Value = v
	}
	return conds, nil
}

// commaList splits every value on commas, trims spaces and drops empties.
func commaList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func appendUnique(dst []string, add ...string) []string {
	for _, a := range add {
		dup := false
		for _, d := range dst {
			if d == a {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, a)
		}
	}
	return dst
}

func last(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[len(vals)-1]
}

func badParam(param, format string, a ...any) error {
	return &httperr.Error{Status: http.StatusBadRequest, Title: "invalid query parameter",
		Detail: fmt.Sprintf(format, a...), Parameter: param}
}

// isUUID reports whether s is a UUID in canonical 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
