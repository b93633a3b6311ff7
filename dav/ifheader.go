package dav

import (
	"strings"
)

// ifCond is one condition of an If header list (RFC 4918 §10.4): a state
// token (lock token) or an entity tag, possibly negated.
type ifCond struct {
	not   bool
	token string // a Coded-URL's URI, when a state token
	etag  string // with its quotes, when an entity tag
}

// ifList is one parenthesised list; res is its resource tag ("" for an
// untagged list, which applies to the request URL).
type ifList struct {
	res   string
	conds []ifCond
}

// parseIf parses an If header value; ok is false when it is malformed.
func parseIf(v string) (lists []ifList, ok bool) {
	s := strings.TrimSpace(v)
	res := ""
	tagged, untagged := false, false
	for s != "" {
		switch s[0] {
		case '<':
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return nil, false
			}
			res, tagged = s[1:end], true
			s = strings.TrimSpace(s[end+1:])
			if s == "" || s[0] != '(' {
				return nil, false
			}
		case '(':
			if !tagged {
				untagged = true
			}
			end := strings.IndexByte(s, ')')
			if end < 0 {
				return nil, false
			}
			conds, ok := parseConds(s[1:end])
			if !ok {
				return nil, false
			}
			lists = append(lists, ifList{res: res, conds: conds})
			s = strings.TrimSpace(s[end+1:])
		default:
			return nil, false
		}
	}
	if len(lists) == 0 || (tagged && untagged) {
		return nil, false
	}
	return lists, true
}

func parseConds(s string) ([]ifCond, bool) {
	var out []ifCond
	s = strings.TrimSpace(s)
	for s != "" {
		var c ifCond
		if len(s) >= 3 && strings.EqualFold(s[:3], "not") {
			c.not = true
			s = strings.TrimSpace(s[3:])
		}
		if s == "" {
			return nil, false
		}
		var end int
		switch s[0] {
		case '<':
			end = strings.IndexByte(s, '>')
			if end < 0 {
				return nil, false
			}
			c.token = s[1:end]
		case '[':
			end = strings.IndexByte(s, ']')
			if end < 0 {
				return nil, false
			}
			c.etag = strings.TrimPrefix(s[1:end], "W/")
		default:
			return nil, false
		}
		out = append(out, c)
		s = strings.TrimSpace(s[end+1:])
	}
	return out, len(out) > 0
}

// ifTokens lists the state tokens an If header submits.
func ifTokens(lists []ifList) map[string]bool {
	out := map[string]bool{}
	for _, l := range lists {
		for _, c := range l.conds {
			if c.token != "" {
				out[c.token] = true
			}
		}
	}
	return out
}

// ifState answers, for the resource a list names, whether token is one
// of its current lock tokens and what its entity tag is.
type ifState interface {
	hasToken(res, token string) bool
	etag(res string) string
}

// evalIf reports whether the If header holds: at least one list whose
// conditions all hold.
func evalIf(lists []ifList, st ifState) bool {
	for _, l := range lists {
		all := true
		for _, c := range l.conds {
			var hold bool
			if c.token != "" {
				hold = st.hasToken(l.res, c.token)
			} else {
				e := st.etag(l.res)
				hold = e != "" && e == c.etag
			}
			if hold == c.not {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
