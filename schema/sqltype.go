package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// dataType is a parsed, whitelisted DataType.
type dataType struct {
	base     string // lower-case base name, e.g. "varchar"
	n, m     int    // the (n) or (n,m) arguments; -1 when absent
	unsigned bool
}

// dataTypeRE is the whole grammar a DataType may have: a base word, an
// optional "(n)" or "(n,m)" of digits, an optional "unsigned".

// dataTypeArgs says which argument forms each base type accepts: 0 none,
// 1 "(n)", 2 "(n)" or "(n,m)".
var dataTypeArgs = map[string]int{
	"varchar": 1, "char": 1, "text": 1, "tinytext": 0, "mediumtext": 0, "longtext": 0,
	"int": 1, "integer": 1, "tinyint": 1, "smallint": 1, "mediumint": 1, "bigint": 1,
	"float": 2, "double": 2, "real": 2, "decimal": 2, "numeric": 2,
	"bool": 0, "boolean": 0,
	"date": 0, "time": 1, "datetime": 1, "timestamp": 1,
	"blob": 1, "tinyblob": 0, "mediumblob": 0, "longblob": 0, "binary": 1, "varbinary": 1,
	"json": 0,
}

// scanDataType splits a lower-cased data type of the form
// name[ ( n [, m] )][ unsigned] (digits at most 8 long, spaces allowed
// around the parentheses and comma) into name, n, m and "unsigned". It is
// called for every written value, so it avoids regular expressions.
func scanDataType(s string) (parts [4]string, ok bool) {
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	if i == 0 {
		return parts, false
	}
	parts[0] = s[:i]
	skip := func() {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	digits := func() (string, bool) {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[j:i], i > j && i-j <= 8
	}
	j := i
	skip()
	if i < len(s) && s[i] == '(' {
		i++
		skip()
		if parts[1], ok = digits(); !ok {
			return parts, false
		}
		skip()
		if i < len(s) && s[i] == ',' {
			i++
			skip()
			if parts[2], ok = digits(); !ok {
				return parts, false
			}
			skip()
		}
		if i >= len(s) || s[i] != ')' {
			return parts, false
		}
		i++
		j = i
	} else {
		i = j
	}
	if i == len(s) {
		return parts, true
	}
	if !isSpace(s[i]) {
		return parts, false
	}
	skip()
	if s[i:] != "unsigned" {
		return parts, false
	}
	parts[3] = "unsigned"
	return parts, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// parseDataType checks s against the whitelist grammar.
func parseDataType(s string) (dataType, error) {
	if strings.TrimSpace(s) == "" {
		return dataType{}, fmt.Errorf("empty data type")
	}
	sm, ok := scanDataType(strings.ToLower(strings.TrimSpace(s)))
	if !ok {
		return dataType{}, fmt.Errorf("unsupported data type %q", s)
	}
	dt := dataType{base: sm[0], n: -1, m: -1, unsigned: sm[3] != ""}
	args, ok := dataTypeArgs[dt.base]
	if !ok {
		return dataType{}, fmt.Errorf("unsupported data type %q", s)
	}
	if sm[1] != "" {
		dt.n, _ = strconv.Atoi(sm[1])
	}
	if sm[2] != "" {
		dt.m, _ = strconv.Atoi(sm[2])
	}
	switch {
	case dt.n >= 0 && args == 0, dt.m >= 0 && args < 2:
		return dataType{}, fmt.Errorf("data type %q takes no such size", s)
	case dt.unsigned && !dt.isInt() && !dt.isFloat():
		return dataType{}, fmt.Errorf("data type %q cannot be unsigned", s)
	case dt.m > dt.n:
		return dataType{}, fmt.Errorf("data type %q has more decimals than digits", s)
	}
	switch dt.base {
	case "varchar", "char", "binary", "varbinary":
		if dt.n == 0 || dt.n > 1_000_000 {
			return dataType{}, fmt.Errorf("data type %q: length out of range", s)
		}
	case "decimal", "numeric":
		if dt.n == 0 || dt.n > 65 || dt.m > 30 {
			return dataType{}, fmt.Errorf("data type %q: precision out of range", s)
		}
	case "float", "double", "real":
		if dt.n > 255 {
			return dataType{}, fmt.Errorf("data type %q: precision out of range", s)
		}
	case "time", "datetime", "timestamp":
		if dt.n > 6 {
			return dataType{}, fmt.Errorf("data type %q: fractional precision above 6", s)
		}
	}
	return dt, nil
}

func (d dataType) isInt() bool {
	switch d.base {
	case "int", "integer", "tinyint", "smallint", "mediumint", "bigint":
		return true
	}
	return false
}

func (d dataType) isFloat() bool {
	switch d.base {
	case "float", "double", "real", "decimal", "numeric":
		return true
	}
	return false
}

func (d dataType) isText() bool {
	switch d.base {
	case "text", "tinytext", "mediumtext", "longtext", "json":
		return true
	}
	return false
}

func (d dataType) isBlob() bool {
	switch d.base {
	case "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary":
		return true
	}
	return false
}

// intRange is the value range of an integer data type.
func (d dataType) intRange() (lo, hi int64) {
	switch d.base {
	case "tinyint":
		lo, hi = -1<<7, 1<<7-1
	case "smallint":
		lo, hi = -1<<15, 1<<15-1
	case "mediumint":
		lo, hi = -1<<23, 1<<23-1
	case "bigint":
		return -1 << 63, 1<<63 - 1
	default:
		lo, hi = -1<<31, 1<<31-1
	}
	if d.unsigned {
		return 0, hi*2 + 1
	}
	return lo, hi
}

// maxChars is the length limit of a character type, or -1.
func (d dataType) maxChars() int {
	switch d.base {
	case "varchar", "char":
		if d.n > 0 {
			return d.n
		}
	case "tinytext":
		return 255
	}
	return -1
}

// TypeSpeller spells a column type of DDL from the parts of a whitelisted
// DataType: its lower-case base name, the (n) and (n,m) arguments (-1 when
// absent) and "unsigned". storage/db's Dialect is one; the spelling of
// each database lives there, not here.
type TypeSpeller interface {
	ColumnType(base string, n, m int, unsigned bool) string
}

// SQLType turns a schema DataType into the concrete column type of d.
// DataType comes from uploaded schemas, so only the whitelist grammar is
// accepted: a known base type, an optional "(n)" or "(n,m)" of digits, an
// optional "unsigned". The output is built from the parsed parts only,
// never from the input text.
func SQLType(d TypeSpeller, dataType string) (string, error) {
	dt, err := parseDataType(dataType)
	if err != nil {
		return "", err
	}
	return d.ColumnType(dt.base, dt.n, dt.m, dt.unsigned), nil
}

// CheckDataType reports whether dataType fits the whitelist grammar.
func CheckDataType(dataType string) error {
	_, err := parseDataType(dataType)
	return err
}

// The default-value patterns are compiled on first use: only DDL for a new
// table or column needs them, and their counted repetitions make them slow
// to compile, which every start-up would otherwise pay.
var (
	defaultNumberRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[+-]?[0-9]{1,30}(?:\.[0-9]{1,30})?(?:[eE][+-]?[0-9]{1,3})?$`)
	})
	defaultWordRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]{0,199}$`) })
)

// DefaultSpeller spells the DEFAULT literals that differ per database.
// storage/db's Dialect is one.
type DefaultSpeller interface {
	BoolLiteral(b bool) string
	CurrentTimestamp() string
}

// SQLDefault turns a schema DefaultValue into the SQL literal written after
// DEFAULT. DefaultValue comes from uploaded schemas, so only these forms are
// accepted: a single-quoted string (quotes inside doubled, no backslashes,
// no control characters, none of ";", "--", "/*"), a bare number, true or
// false, null, current_timestamp, and for string-like kinds a bare word
// (draft is read as 'draft'). The literal is rebuilt for the dialect and the
// column's kind: booleans become TRUE/FALSE (1/0 on sqlite), numbers for
// string columns are quoted, dates are re-quoted as 'YYYY-MM-DD HH:MM:SS',
// current_timestamp is only allowed for time columns and is
// CURRENT_TIMESTAMP(6) on mysql (matching DATETIME(6)): d spells them.
func SQLDefault(d DefaultSpeller, kind ValueKind, defaultValue string) (string, error) {
	v := strings.TrimSpace(defaultValue)
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("unsupported default value %q for a %s column: %s", defaultValue, kind, why)
	}
	if v == "" {
		return bad("empty")
	}
	lower := strings.ToLower(v)
	switch {
	case lower == "null":
		return "NULL", nil
	case lower == "current_timestamp":
		if kind != KindTime {
			return bad("current_timestamp needs a date/time column")
		}
		return d.CurrentTimestamp(), nil
	}
	text, quoted := v, false
	if strings.HasPrefix(v, "'") {
		s, err := unquoteDefault(v)
		if err != nil {
			return bad(err.Error())
		}
		text, quoted = s, true
	}
	switch kind {
	case KindBool:
		switch strings.ToLower(text) {
		case "true", "1":
			return d.BoolLiteral(true), nil
		case "false", "0":
			return d.BoolLiteral(false), nil
		}
		return bad("not a boolean")
	case KindInt, KindFloat:
		switch strings.ToLower(text) {
		case "true":
			return "1", nil
		case "false":
			return "0", nil
		}
		if !defaultNumberRE().MatchString(text) {
			return bad("not a number")
		}
		if kind == KindInt {
			if _, err := strconv.ParseInt(text, 10, 64); err != nil {
				return bad("not a whole number")
			}
		}
		return strings.TrimPrefix(text, "+"), nil
	case KindTime:
		if !quoted {
			return bad("dates must be quoted")
		}
		t, err := parseDateTime(text)
		if err != nil {
			return bad("not a date")
		}
		return "'" + t.Format(time.DateTime) + "'", nil
	}
	// String, JSON and blob kinds.
	if !quoted && !defaultNumberRE().MatchString(text) && !defaultWordRE().MatchString(text) {
		return bad("quote string defaults")
	}
	return quoteDefault(text)
}

// unquoteDefault reads a single-quoted SQL string; a doubled quote is the
// only escape.
func unquoteDefault(v string) (string, error) {
	if len(v) < 2 || !strings.HasSuffix(v, "'") {
		return "", fmt.Errorf("unterminated quote")
	}
	inner := v[1 : len(v)-1]
	if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
		return "", fmt.Errorf("unescaped quote inside")
	}
	return strings.ReplaceAll(inner, "''", "'"), nil
}

// quoteDefault quotes s as a string literal safe in every dialect.
func quoteDefault(s string) (string, error) {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "", fmt.Errorf("unsupported default value %q: control characters and backslashes are not allowed", s)
		}
	}
	if len(s) > 1000 {
		return "", fmt.Errorf("default value too long")
	}
	for _, tok := range []string{";", "--", "/*", "*/"} {
		if strings.Contains(s, tok) {
			return "", fmt.Errorf("unsupported default value %q: %q is not allowed", s, tok)
		}
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}
