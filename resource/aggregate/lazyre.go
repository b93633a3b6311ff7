package aggregate

import (
	"regexp"
	"sync"
)

// lazyRE is a regular expression compiled on first use. Patterns with
// counted repetitions ({0,63}) are slow to compile; a package-level
// regexp.MustCompile would make every start-up pay for parsers that only
// some requests use.
type lazyRE struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

func newLazyRE(expr string) *lazyRE { return &lazyRE{expr: expr} }

// MatchString reports whether s matches the expression.
func (l *lazyRE) MatchString(s string) bool {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re.MatchString(s)
}
