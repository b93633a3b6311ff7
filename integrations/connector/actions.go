package connector

import (
	"sort"
	"strings"
	"unicode"

	"github.com/apiary/apiary/schema"
)

// ActionOnType is the table every operation action is defined on.
const ActionOnType = "integration"

// Actions returns one action definition per operation (contract
// sidecars.md §10.4): named by the operationId, on integration, instance
// optional, with the operation's in-fields as label columns and one
// outcome {Type: provider, Method: operation} passing every input on.
func (p *Provider) Actions() []schema.Action {
	out := make([]schema.Action, 0, len(p.Ops))
	for _, o := range p.Ops {
		required := map[string]bool{}
		for _, prm := range o.Params {
			if prm.Required {
				required[prm.Name] = true
			}
		}
		a := schema.Action{Name: o.ID, Label: Humanise(o.ID), OnType: ActionOnType, InstanceOptional: true,
			InFields: make([]schema.Column, 0, len(o.InFields))}
		attrs := make(map[string]any, len(o.InFields))
		for _, f := range o.InFields {
			a.InFields = append(a.InFields, schema.Column{Name: f, ColumnName: f, ColumnType: "label",
				DataType: "varchar(100)", IsNullable: !required[f]})
			attrs[f] = "~" + f
		}
		a.OutFields = []schema.Outcome{{Type: p.Name, Method: o.ID, Attributes: attrs}}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Humanise turns an operation name into a label: "listPets" → "List
// pets", "get /pets/{id}" → "Get pets id".
func Humanise(name string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && prevLower {
				flush()
			}
			cur = append(cur, r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	if len(words) == 0 {
		return name
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
