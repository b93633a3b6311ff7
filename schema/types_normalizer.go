package schema

import (
	"fmt"
	"math"
)

// Normalizer is NormalizeValue for one column with the column's type,
// kind and DataType resolved once. Imports normalise millions of values
// of the same few columns; NormalizeValue resolves all three per value.
// A Normalizer is read-only after NewNormalizer and safe for concurrent
// use; it keeps col and must not outlive the schema snapshot it came from.
type Normalizer struct {
	col   *Column
	ct    ColumnType
	kind  ValueKind
	dt    dataType
	dtOK  bool
	label string
}

// NewNormalizer resolves col's type once.
func NewNormalizer(col *Column) Normalizer {
	ct := columnTypeOf(col)
	dt, err := parseDataType(col.DataType)
	return Normalizer{col: col, ct: ct, kind: columnKind(col, ct), dt: dt, dtOK: err == nil, label: columnLabel(col)}
}

// Value is NormalizeValue(col, v) for the Normalizer's column.
func (n *Normalizer) Value(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch n.kind {
	case KindInt:
		i, err := toInt(n.ct.Name, n.ct.Kind, v)
		if err != nil {
			return n.fail("%v", err)
		}
		if n.dtOK && n.dt.isInt() {
			if lo, hi := n.dt.intRange(); i < lo || i > hi {
				return n.fail("%d is out of range for %s", i, n.col.DataType)
			}
		}
		return i, nil
	case KindFloat:
		f, err := toFloat(v)
		if err != nil {
			return n.fail("%v", err)
		}
		if n.dtOK && (n.dt.base == "decimal" || n.dt.base == "numeric") && n.dt.n > 0 {
			if limit := math.Pow10(n.dt.n - max(n.dt.m, 0)); math.Abs(f) >= limit {
				return n.fail("%v is out of range for %s", f, n.col.DataType)
			}
		}
		return f, nil
	case KindBool:
		b, err := toBool(v)
		if err != nil {
			return n.fail("%v", err)
		}
		return b, nil
	case KindTime:
		t, err := toTime(n.ct.Name, v)
		if err != nil {
			return n.fail("%v", err)
		}
		return t, nil
	}
	s, err := toText(n.col, &n.ct, v)
	if err != nil {
		return n.fail("%v", err)
	}
	if n.dtOK {
		if limit := n.dt.maxChars(); limit >= 0 {
			if l := storedLen(n.ct.Secret, s); l > limit {
				return n.fail("%d characters do not fit %s", l, n.col.DataType)
			}
		}
	}
	if in, ok := v.(string); ok && in == s {
		return v, nil // the text as given: no second copy of its header
	}
	return s, nil
}

func (n *Normalizer) fail(format string, args ...any) (any, error) {
	return nil, &ValueError{Column: n.label, Reason: fmt.Sprintf(format, args...)}
}

// isDecimal reports whether s is a plain decimal number: an optional sign,
// digits with an optional fraction (or a fraction alone), and an optional
// exponent; nothing else, not even spaces.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	whole := skipDigits(s, &i)
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		frac = skipDigits(s, &i)
	}
	if whole == 0 && frac == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if skipDigits(s, &i) == 0 {
			return false
		}
	}
	return i == len(s)
}

// skipDigits advances *i over ASCII digits and returns how many it passed.
func skipDigits(s string, i *int) int {
	start := *i
	for *i < len(s) && s[*i] >= '0' && s[*i] <= '9' {
		*i++
	}
	return *i - start
}

// simpleEmail reports addresses that net/mail certainly reads back as
// themselves: ASCII dot-atoms of letters, digits and "_%+-" on both sides
// of one "@". Anything else takes the full parser.
func simpleEmail(s string) bool {
	at := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	return at > 0 && dotAtom(s[:at]) && dotAtom(s[at+1:])
}

// dotAtom reports a non-empty run of simple atoms joined by single dots.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '%', c == '+', c == '-':
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}
