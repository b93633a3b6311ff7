package dexie

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
)

// userQuery is a parsed GET /users query.
type userQuery struct {
	search      string
	active      *bool
	typ         string
	sortCol     string
	desc        bool
	limit       int
	after       bool // a pagingKey was given
	afterVal    any
	afterUserID string
}

func parseUserQuery(q map[string][]string) (userQuery, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	for k := range q {
		switch k {
		case "search", "active", "type", "sort", "desc", "limit", "pagingKey":
		default:
			return userQuery{}, badRequest("unknown query parameter " + k)
		}
	}
	uq := userQuery{search: strings.ToLower(get("search")), typ: get("type"), sortCol: "email"}
	if _, ok := q["active"]; ok {
		b, err := parseBool("active", get("active"))
		if err != nil {
			return uq, err
		}
		uq.active = &b
	}
	if uq.typ != "" && !contains(userTypes, uq.typ) {
		return uq, badRequest("type must be eval, prod or demo")
	}
	if s := get("sort"); s != "" {
		col, ok := sortColumns[s]
		if !ok {
			return uq, badRequest("sort must be one of created, validUntil, updated, evalDaysLeft, lastLogin, userId, type, displayName")
		}
		uq.sortCol = col
	}
	if _, ok := q["desc"]; ok {
		b, err := parseBool("desc", get("desc"))
		if err != nil {
			return uq, err
		}
		uq.desc = b
	}
	var err error
	if uq.limit, err = parseLimit(get("limit")); err != nil {
		return uq, err
	}
	if pk := get("pagingKey"); pk != "" {
		uq.after = true
		if uq.afterVal, uq.afterUserID, err = decodePagingKey(pk); err != nil {
			return uq, err
		}
	}
	return uq, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keep reports whether a user passes the search, active and type filters.
func (uq userQuery) keep(row resource.Row) bool {
	a := row.Attrs
	if uq.active != nil && (a[colDeactivated] == nil) != *uq.active {
		return false
	}
	if uq.typ != "" {
		t, _ := a[colUserType].(string)
		if t == "" {
			t = "prod"
		}
		if t != uq.typ {
			return false
		}
	}
	if uq.search != "" {
		hay := strings.ToLower(str(a["email"]) + "\x00" + str(a["name"]) + "\x00" + str(a[colUserData]))
		return strings.Contains(hay, uq.search)
	}
	return true
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// sortValue is a user's sort value in a form that survives the JSON of a
// pagingKey and compares in order: times as fixed-width UTC strings,
// numbers as float64, strings as themselves, nil for unset.
func sortValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000000000Z")
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case float64, string:
		return x
	}
	return nil
}

// compareValues orders two sort values; nil sorts first.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(str(a), str(b))
}

// listUsers answers GET /users: filtered, sorted by (sort key, userId), and
// paged with a keyset cursor, so users added between two pages are
// neither skipped nor repeated.
func (d Deps) listUsers(c *call) error {
	if err := needScopes(c.p, ScopeGlobalRead); err != nil {
		return err
	}
	uq, err := parseUserQuery(c.r.URL.Query())
	if err != nil {
		return err
	}
	rows, err := allUsers(c.ctx, c.res)
	if err != nil {
		return err
	}
	type entry struct {
		key any
		id  string
		row resource.Row
	}
	var list []entry
	for _, r := range rows {
		if uq.keep(r) {
			list = append(list, entry{sortValue(r.Attrs[uq.sortCol]), str(r.Attrs["email"]), r})
		}
	}
	cmp := func(ak any, aid string, bk any, bid string) int {
		n := compareValues(ak, bk)
		if n == 0 {
			n = strings.Compare(aid, bid)
		}
		if uq.desc {
			n = -n
		}
		return n
	}
	sort.Slice(list, func(i, j int) bool { return cmp(list[i].key, list[i].id, list[j].key, list[j].id) < 0 })
	start := 0
	if uq.after {
		start = sort.Search(len(list), func(i int) bool { return cmp(list[i].key, list[i].id, uq.afterVal, uq.afterUserID) > 0 })
	}
	end := min(start+uq.limit, len(list))
	out := map[string]any{"data": []map[string]any{}, "hasMore": end < len(list)}
	page := []map[string]any{}
	for _, e := range list[start:end] {
		page = append(page, userJSON(e.row))
	}
	out["data"] = page
	if end < len(list) {
		last := list[end-1]
		out["pagingKey"] = encodePagingKey(last.key, last.id)
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}
