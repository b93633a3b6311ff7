package dav

import (
	"strings"

	"github.com/emersion/go-vcard"
)

// The addressbook-query filter (RFC 6352 §10.5). go-webdav's matcher
// compares only the first value of a property and ignores the collation,
// so a second EMAIL never matched and "ann" did not find "Ann"; this one
// tries every value and folds case unless the collation is i;octet.

type cardFilter struct {
	allOf bool
	props []cardPropFilter
}

type cardPropFilter struct {
	name       string
	allOf      bool
	notDefined bool
	matches    []cardTextMatch
}

type cardTextMatch struct {
	text   string
	kind   string // equals, contains, starts-with, ends-with
	negate bool
	octet  bool
}

// parseCardFilter reads a CARDDAV:filter element (nil matches all).
func parseCardFilter(f *node) (cardFilter, *davError) {
	var out cardFilter
	var derr *davError
	if out.allOf, derr = filterTest(f); derr != nil {
		return out, derr
	}
	for _, pf := range f.children(nsCardDAV, "prop-filter") {
		p := cardPropFilter{name: strings.ToUpper(pf.attr("name")), notDefined: pf.child(nsCardDAV, "is-not-defined") != nil}
		if p.name == "" {
			return out, errBadRequest("addressbook-query: a prop-filter needs a name")
		}
		if p.allOf, derr = filterTest(pf); derr != nil {
			return out, derr
		}
		for _, tm := range pf.children(nsCardDAV, "text-match") {
			m := cardTextMatch{text: strings.TrimSpace(tm.Text), kind: tm.attr("match-type"), negate: tm.attr("negate-condition") == "yes",
				octet: tm.attr("collation") == "i;octet"}
			switch m.kind {
			case "":
				m.kind = "contains"
			case "equals", "contains", "starts-with", "ends-with":
			default:
				return out, errBadRequest("addressbook-query: unknown match-type " + m.kind)
			}
			if !m.octet {
				m.text = strings.ToLower(m.text)
			}
			p.matches = append(p.matches, m)
		}
		out.props = append(out.props, p)
	}
	return out, nil
}

// filterTest reads a test attribute: anyof (the default) or allof.
func filterTest(n *node) (allOf bool, derr *davError) {
	switch n.attr("test") {
	case "", "anyof":
		return false, nil
	case "allof":
		return true, nil
	}
	return false, errBadRequest("addressbook-query: test must be anyof or allof")
}

// match reports whether card passes the filter.
func (f cardFilter) match(card vcard.Card) bool {
	if len(f.props) == 0 {
		return true
	}
	for _, p := range f.props {
		ok := p.match(card)
		if ok && !f.allOf {
			return true
		}
		if !ok && f.allOf {
			return false
		}
	}
	return f.allOf
}

func (p cardPropFilter) match(card vcard.Card) bool {
	fields := card[p.name]
	if p.notDefined {
		return len(fields) == 0
	}
	if len(fields) == 0 {
		return false
	}
	if len(p.matches) == 0 {
		return true
	}
	for _, m := range p.matches {
		ok := false
		for _, f := range fields {
			if m.matchValue(f.Value) {
				ok = true
				break
			}
		}
		if ok && !p.allOf {
			return true
		}
		if !ok && p.allOf {
			return false
		}
	}
	return p.allOf
}

func (m cardTextMatch) matchValue(v string) bool {
	if !m.octet {
		v = strings.ToLower(v)
	}
	var hit bool
	switch m.kind {
	case "equals":
		hit = v == m.text
	case "starts-with":
		hit = strings.HasPrefix(v, m.text)
	case "ends-with":
		hit = strings.HasSuffix(v, m.text)
	default:
		hit = strings.Contains(v, m.text)
	}
	return hit != m.negate
}
