package jsonapi

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apiary/apiary/resource"
)

// The documents that carry rows (singleDoc, listDoc) are appended here by
// hand instead of through encoding/json's reflection: same bytes as
// json.Marshal (struct field order, map keys sorted, HTML-safe string
// escaping, encoding/json's float format), about a quarter of the CPU and
// a fraction of the allocations. A value of a type not handled below (and
// a string that needs escaping) is encoded by json.Marshal itself, so the
// output can never differ from what json.Marshal would have written;
// fastjson_test.go compares the two on every kind of value a row carries.

// appendDoc appends v as JSON when it is one of the row documents; ok is
// false for any other value.
func appendDoc(b []byte, v any) (out []byte, ok bool, err error) {
	switch d := v.(type) {
	case singleDoc:
		out, err = appendSingleDoc(b, d)
		return out, true, err
	case listDoc:
		out, err = appendListDoc(b, d)
		return out, true, err
	}
	return b, false, nil
}

// docSizeHint is a first capacity for a row document's bytes: enough for
// most rows (about 64 bytes an attribute), so that a page grows its buffer
// once or not at all.
func docSizeHint(v any) int {
	n := 256
	switch d := v.(type) {
	case singleDoc:
		if d.Data != nil {
			n += objSizeHint(d.Data)
		}
		if d.Included != nil {
			n += objs(*d.Included)
		}
	case listDoc:
		n += 64*len(d.Links) + objs(d.Data)
		if d.Included != nil {
			n += objs(*d.Included)
		}
	}
	return n
}

func objSizeHint(o *resourceObject) int {
	return 160 + 64*(len(o.Attributes)+len(o.Relationships))
}

func objs(os []resourceObject) (n int) {
	for i := range os {
		n += objSizeHint(&os[i])
	}
	return n
}

func appendSingleDoc(b []byte, d singleDoc) ([]byte, error) {
	var err error
	b = append(b, `{"data":`...)
	if d.Data == nil {
		b = append(b, "null"...)
	} else if b, err = appendObject(b, d.Data); err != nil {
		return b, err
	}
	if b, err = appendIncluded(b, d.Included); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendIncluded appends the "included" member when the document has one.
func appendIncluded(b []byte, inc *[]resourceObject) ([]byte, error) {
	if inc == nil {
		return b, nil
	}
	b = append(b, `,"included":`...)
	return appendObjects(b, *inc)
}

func appendListDoc(b []byte, d listDoc) ([]byte, error) {
	var err error
	b = append(b, '{')
	if len(d.Links) > 0 {
		b = append(b, `"links":`...)
		if b, err = appendMap(b, d.Links); err != nil {
			return b, err
		}
		b = append(b, ',')
	}
	b = append(b, `"data":`...)
	if d.Data == nil {
		b = append(b, "null"...)
	} else if b, err = appendObjects(b, d.Data); err != nil {
		return b, err
	}
	if b, err = appendIncluded(b, d.Included); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

func appendObjects(b []byte, objs []resourceObject) ([]byte, error) {
	if objs == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i := range objs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendObject(b, &objs[i]); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

func appendObject(b []byte, o *resourceObject) ([]byte, error) {
	b = append(b, `{"type":`...)
	b = appendString(b, o.Type)
	b = append(b, `,"id":`...)
	b = appendString(b, o.ID)
	b = append(b, `,"attributes":`...)
	var err error
	if b, err = appendMap(b, o.Attributes); err != nil {
		return b, err
	}
	b = append(b, `,"relationships":`...)
	if o.Relationships == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		var kb [16]string
		for i, k := range sortedKeys(o.Relationships, kb[:0]) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, `:{"data":`...)
			if b, err = appendValue(b, o.Relationships[k].Data); err != nil {
				return b, err
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// appendMap appends m with its keys in sorted order, as encoding/json does.
func appendMap(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '{')
	var err error
	var kb [32]string // the keys of a typical row, kept off the heap
	for i, k := range sortedKeys(m, kb[:0]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		if b, err = appendValue(b, m[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// sortedKeys appends m's keys to keys (usually an empty slice of the
// caller's stack array) and sorts them.
func sortedKeys[V any](m map[string]V, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendValue appends one attribute or relationship value.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return appendFloat(b, x), nil
		}
	case time.Time:
		if y := x.Year(); x.Location() == time.UTC && y >= 0 && y <= 9999 {
			b = append(b, '"')
			b = x.AppendFormat(b, time.RFC3339Nano)
			return append(b, '"'), nil
		}
	case resource.Ref:
		b = append(b, `{"type":`...)
		b = appendString(b, x.Type)
		b = append(b, `,"id":`...)
		b = appendString(b, x.ID)
		return append(b, '}'), nil
	case []resource.Ref:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, r := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b, _ = appendValue(b, r)
		}
		return append(b, ']'), nil
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, enc...), nil
}

// appendFloat is encoding/json's format for a finite float64.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString copies s quoted when no byte needs escaping: printable
// ASCII other than the quote, the backslash and the HTML-unsafe <, > and
// &, or valid UTF-8 other than U+2028 and U+2029. Any other string goes
// through encoding/json.
func appendString(b []byte, s string) []byte {
	wide := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			wide = true
			continue
		}
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return appendQuoted(b, s)
		}
	}
	if wide && (!utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029")) {
		return appendQuoted(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendQuoted(b []byte, s string) []byte {
	enc, _ := json.Marshal(s) // a string always encodes
	return append(b, enc...)
}
