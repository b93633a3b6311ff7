package graphql

import (
	"fmt"
	"time"

	"github.com/graphql-go/graphql/language/ast"
)

// Limits bound the work one GraphQL request may ask for. They are checked
// before the query is validated or run, in time linear in its length, so
// a small query cannot buy seconds of CPU (docs/security.md). Zero fields
// take the defaults of DefaultLimits.
type Limits struct {
	// MaxNesting bounds brackets ({, [, () open at once in the query text:
	// selections, argument objects and lists together.
	MaxNesting int
	// MaxDepth bounds how deep selections nest.
	MaxDepth int
	// MaxArgumentDepth bounds how deep an argument or variable value nests.
	MaxArgumentDepth int
	// MaxAliases bounds the aliased fields of a request.
	MaxAliases int
	// MaxFields bounds the fields of a request, fragments expanded: its
	// complexity.
	MaxFields int
	// MaxAnswerBytes bounds the encoded answer.
	MaxAnswerBytes int
	// Timeout bounds the execution of one request; the work also stops
	// when the client goes away.
	Timeout time.Duration
}

// DefaultLimits are far above what a real client asks for: a client's
// deepest query (a table, its relation, that row's relation) is under 8
// levels and under 200 fields.
func DefaultLimits() Limits {
	return Limits{MaxNesting: 64, MaxDepth: 15, MaxArgumentDepth: 10, MaxAliases: 100, MaxFields: 2000, MaxAnswerBytes: 32 << 20,
		Timeout: 30 * time.Second}
}

// withDefaults fills unset limits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, p := range []struct{ v, def *int }{{&l.MaxNesting, &d.MaxNesting}, {&l.MaxDepth, &d.MaxDepth},
		{&l.MaxArgumentDepth, &d.MaxArgumentDepth}, {&l.MaxAliases, &d.MaxAliases}, {&l.MaxFields, &d.MaxFields},
		{&l.MaxAnswerBytes, &d.MaxAnswerBytes}} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// checkText refuses query text nested deeper than MaxNesting, before the
// parser sees it. Strings, block strings and comments are skipped.
func (l Limits) checkText(q string) error {
	depth := 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case '"':
			i = skipString(q, i)
		case '{', '[', '(':
			if depth++; depth > l.MaxNesting {
				return fmt.Errorf("the query nests deeper than %d levels", l.MaxNesting)
			}
		case '}', ']', ')':
			depth--
		}
	}
	return nil
}

// skipString returns the index of the closing quote of the string that
// starts at i (a "..." or a """...""" block).
func skipString(q string, i int) int {
	if len(q) >= i+3 && q[i:i+3] == `"""` {
		for j := i + 3; j+2 < len(q); j++ {
			if q[j] == '\\' {
				j++
				continue
			}
			if q[j:j+3] == `"""` {
				return j + 2
			}
		}
		return len(q)
	}
	for j := i + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			j++
		case '"', '\n':
			return j
		}
	}
	return len(q)
}

// docCheck walks a parsed document once per operation, expanding
// fragments, and counts what Limits bound.
type docCheck struct {
	l         Limits
	fragments map[string]*ast.FragmentDefinition
	fields    int
	aliases   int
	active    map[string]bool // fragments being expanded (cycles are left to validation)
}

// checkDocument applies the depth, argument, alias and field limits.
func (l Limits) checkDocument(doc *ast.Document) error {
	c := &docCheck{l: l, fragments: map[string]*ast.FragmentDefinition{}, active: map[string]bool{}}
	for _, def := range doc.Definitions {
		if f, ok := def.(*ast.FragmentDefinition); ok && f.Name != nil {
			c.fragments[f.Name.Value] = f
		}
	}
	for _, def := range doc.Definitions {
		op, ok := def.(*ast.OperationDefinition)
		if !ok {
			continue
		}
		for _, v := range op.VariableDefinitions {
			if v.DefaultValue != nil {
				if err := c.value(v.DefaultValue, 1); err != nil {
					return err
				}
			}
		}
		if err := c.selections(op.SelectionSet, 1); err != nil {
			return err
		}
	}
	return nil
}

func (c *docCheck) selections(set *ast.SelectionSet, depth int) error {
	if set == nil {
		return nil
	}
	if depth > c.l.MaxDepth {
		return fmt.Errorf("the query is deeper than %d levels", c.l.MaxDepth)
	}
	for _, sel := range set.Selections {
		var err error
		switch s := sel.(type) {
		case *ast.Field:
			err = c.field(s, depth)
		case *ast.InlineFragment:
			err = c.selections(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			err = c.spread(s, depth)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *docCheck) field(f *ast.Field, depth int) error {
	if c.fields++; c.fields > c.l.MaxFields {
		return fmt.Errorf("the query asks for more than %d fields", c.l.MaxFields)
	}
	if f.Alias != nil {
		if c.aliases++; c.aliases > c.l.MaxAliases {
			return fmt.Errorf("the query has more than %d aliases", c.l.MaxAliases)
		}
	}
	for _, a := range f.Arguments {
		if err := c.value(a.Value, 1); err != nil {
			return err
		}
	}
	return c.selections(f.SelectionSet, depth+1)
}

func (c *docCheck) spread(s *ast.FragmentSpread, depth int) error {
	if s.Name == nil {
		return nil
	}
	name := s.Name.Value
	f, ok := c.fragments[name]
	if !ok || c.active[name] {
		return nil // unknown fragments and cycles fail validation
	}
	c.active[name] = true
	defer delete(c.active, name)
	return c.selections(f.SelectionSet, depth)
}

// value checks how deep an argument value nests.
func (c *docCheck) value(v ast.Value, depth int) error {
	if depth > c.l.MaxArgumentDepth {
		return fmt.Errorf("an argument nests deeper than %d levels", c.l.MaxArgumentDepth)
	}
	switch x := v.(type) {
	case *ast.ObjectValue:
		for _, f := range x.Fields {
			if err := c.value(f.Value, depth+1); err != nil {
				return err
			}
		}
	case *ast.ListValue:
		for _, e := range x.Values {
			if err := c.value(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkVariables bounds how deep the JSON variables nest.
func (l Limits) checkVariables(vars map[string]any) error {
	for _, v := range vars {
		if jsonDepth(v, 1, l.MaxArgumentDepth) > l.MaxArgumentDepth {
			return fmt.Errorf("a variable nests deeper than %d levels", l.MaxArgumentDepth)
		}
	}
	return nil
}

// jsonDepth returns the nesting of v, stopping once it passes limit.
func jsonDepth(v any, depth, limit int) int {
	if depth > limit {
		return depth
	}
	deepest := depth
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			deepest = max(deepest, jsonDepth(e, depth+1, limit))
		}
	case []any:
		for _, e := range x {
			deepest = max(deepest, jsonDepth(e, depth+1, limit))
		}
	}
	return deepest
}
