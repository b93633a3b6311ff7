package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// columnKind is the kind a column's values are held as: the type's kind,
// except that an integer DataType makes string, float and time columns
// KindInt (time values become unix seconds), and a float or bool DataType
// makes plain string columns KindFloat or KindBool.
func columnKind(col *Column, ct ColumnType) ValueKind {
	dt, err := parseDataType(col.DataType)
	if err != nil {
		return ct.Kind
	}
	switch {
	case dt.isInt() && (ct.Kind == KindString || ct.Kind == KindFloat || ct.Kind == KindTime) && ct.Secret == SecretNone:
		return KindInt
	case ct.Kind != KindString || ct.Secret != SecretNone:
		return ct.Kind
	case dt.isFloat():
		return KindFloat
	case dt.base == "bool" || dt.base == "boolean":
		return KindBool
	}
	return ct.Kind
}

// columnTypeOf resolves a column's type; unknown names act as "label".
func columnTypeOf(col *Column) ColumnType {
	if ct, ok := LookupType(col.ColumnType); ok {
		return ct
	}
	ct, _ := findType("label")
	return ct
}

func columnLabel(col *Column) string {
	if col.Name != "" {
		return col.Name
	}
	return col.ColumnName
}

// NormalizeValue turns a JSON-decoded client value (string, float64,
// json.Number, bool, nil, map[string]any, []any; Go ints, time.Time and the
// values FakeValue returns are accepted too) into the value to store for the
// column, of the Go type its kind names, or returns a *ValueError. nil stays
// nil (nullability is checked elsewhere). Secret columns keep the plain
// string: the resource layer hashes or encrypts it. Rules by kind:
//
//   - int: integral numbers and numeric strings; "12.0" is accepted,
//     "12.5" is not, except for measurement, which truncates and reads
//     "", "-" and "na" as 0. The DataType's range (int, bigint ...) applies.
//   - float: finite numbers and decimal strings.
//   - bool: true, 1, "true", "1", "on", "yes" / false, 0, "false", "0", "",
//     "off", "no" (strings are trimmed and case-insensitive).
//   - time: strings in the formats of parseDateTime; numbers (and for
//     timestamp, digit strings) are unix seconds. date values are cut to
//     midnight UTC of the calendar date as written.
//   - time (the column type): "15:04:05", "15:04", "3:04 PM" ... or a full
//     date-time, stored as the string "15:04:05".
//   - enum: lower-cased, must equal one of Options[].Value (lower-cased);
//     any string when there are no options.
//   - json: objects and arrays become compact JSON text; strings are kept.
//   - file, image, video, gzip: lists and objects become JSON text.
//   - email and url must be valid when non-empty.
//   - other strings are kept; numbers become decimal text without exponent.
//
// A varchar(N)/char(N) DataType limits the stored length to N characters
// (for encrypted and hashed columns, the length after hashing/encryption).
func NormalizeValue(col *Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	n := NewNormalizer(col)
	return n.Value(v)
}

// storedLen is the length of s after the resource layer transformed it.
func storedLen(secret SecretKind, s string) int {
	switch secret {
	case SecretPassword, SecretBcrypt, SecretMD5Bcrypt:
		return 60
	case SecretMD5:
		return 32
	case SecretEncrypted:
		return (16 + len(s) + 2) / 3 * 4
	}
	return utf8.RuneCountInString(s)
}

// toText handles the string-held kinds: string, JSON and blob.
func toText(col *Column, ct *ColumnType, v any) (string, error) {
	switch x := v.(type) {
	case map[string]any, []any:
		if ct.Kind != KindJSON && ct.Kind != KindBlob && ct.Name != "location" {
			return "", fmt.Errorf("objects and lists are not allowed here")
		}
		b, err := json.Marshal(x)
		if err != nil {
			return "", err
		}
		return string(b), nil
	case time.Time:
		if ct.Name == "time" {
			return x.Format(time.TimeOnly), nil
		}
		return x.UTC().Format(time.RFC3339), nil
	case bool:
		if ct.Name == "enum" {
			return "", fmt.Errorf("a string is required, not a boolean")
		}
		return strconv.FormatBool(x), nil
	}
	s, ok := v.(string)
	if !ok {
		f, err := toFloat(v)
		if err != nil {
			return "", fmt.Errorf("unsupported value of type %T", v)
		}
		s = formatNumber(v, f)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("not valid UTF-8")
	}
	switch ct.Secret {
	case SecretPassword, SecretBcrypt, SecretMD5Bcrypt:
		if len(s) > 72 {
			return "", fmt.Errorf("passwords are limited to 72 bytes")
		}
	}
	switch ct.Name {
	case "enum":
		return checkEnum(col, s)
	case "time":
		t, err := parseClock(s)
		if err != nil {
			return "", err
		}
		return t, nil
	case "email":
		if s != "" && !simpleEmail(s) {
			if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
				return "", fmt.Errorf("%q is not an email address", s)
			}
		}
	case "url":
		if s != "" {
			u, err := url.Parse(s)
			if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") ||
				((u.Scheme == "http" || u.Scheme == "https") && u.Host == "") || strings.ContainsAny(s, " \t\r\n") {
				return "", fmt.Errorf("%q is not an absolute URL", s)
			}
		}
	}
	return s, nil
}

// formatNumber prints a number without exponent.
func formatNumber(v any, f float64) string {
	if n, ok := v.(json.Number); ok {
		if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return string(n)
		}
	}
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func checkEnum(col *Column, s string) (string, error) {
	s = strings.ToLower(s)
	if len(col.Options) == 0 {
		return s, nil
	}
	for _, o := range col.Options {
		if strings.ToLower(fmt.Sprint(o.Value)) == s {
			return s, nil
		}
	}
	return "", fmt.Errorf("%q is not one of the options", s)
}

// toFloat reads a finite number from a number or a decimal string.
func toFloat(v any) (float64, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case int32:
		f = float64(x)
	case json.Number:
		return toFloat(string(x))
	case string:
		s := strings.TrimSpace(x)
		if !isDecimal(s) {
			return 0, fmt.Errorf("%q is not a number", x)
		}
		var err error
		if f, err = strconv.ParseFloat(s, 64); err != nil {
			return 0, fmt.Errorf("%q is not a number", x)
		}
	default:
		return 0, fmt.Errorf("a number is required, not %T", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("the number is not finite")
	}
	return f, nil
}

// toInt reads a whole number; measurement truncates and reads "", "-" and
// "na" as 0; time types accept dates (as unix seconds).
func toInt(typeName string, kind ValueKind, v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case time.Time:
		if kind == KindTime {
			return x.Unix(), nil
		}
	case string, json.Number:
		var s string
		if js, ok := x.(json.Number); ok {
			s = strings.TrimSpace(string(js))
		} else {
			s = strings.TrimSpace(x.(string))
		}
		if typeName == "measurement" {
			switch strings.ToLower(s) {
			case "", "-", "na":
				return 0, nil
			}
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if kind == KindTime && !isDecimal(s) {
			t, err := toTime(typeName, s)
			if err != nil {
				return 0, err
			}
			return t.Unix(), nil
		}
	}
	f, err := toFloat(v)
	if err != nil {
		return 0, err
	}
	if typeName == "measurement" || kind == KindTime {
		f = math.Trunc(f)
	}
	if f != math.Trunc(f) {
		return 0, fmt.Errorf("%v is not a whole number", f)
	}
	if f < -(1<<63) || f >= 1<<63 {
		return 0, fmt.Errorf("%v is out of range", f)
	}
	return int64(f), nil
}

// ParseBool is the one reading of a boolean value in Apiary: true, false,
// the text true/1/on/yes and false/0/off/no/"" (any case, spaces
// trimmed), or the number 1 or 0. Anything else is an error naming it.
// Lenient readers (resource.Truthy) build on it.
func ParseBool(v any) (bool, error) { return toBool(v) }

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "on", "yes":
			return true, nil
		case "false", "0", "", "off", "no":
			return false, nil
		}
		return false, fmt.Errorf("%q is not a boolean", x)
	}
	f, err := toFloat(v)
	if err != nil {
		return false, fmt.Errorf("a boolean is required, not %T", v)
	}
	switch f {
	case 1:
		return true, nil
	case 0:
		return false, nil
	}
	return false, fmt.Errorf("%v is not a boolean", f)
}

// toTime reads a date/time value for the date, datetime and timestamp
// types: a time.Time, a string (parseDateTime), or unix seconds as a number
// (or, for timestamp, a digit string).
func toTime(typeName string, v any) (time.Time, error) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		s := strings.TrimSpace(x)
		if typeName == "timestamp" && isDecimal(s) {
			return toTime(typeName, json.Number(s))
		}
		var err error
		if t, err = parseDateTime(s); err != nil {
			return time.Time{}, err
		}
	default:
		f, err := toFloat(v)
		if err != nil {
			return time.Time{}, fmt.Errorf("a date is required, not %T", v)
		}
		if math.Abs(f) > 253402300799 { // 9999-12-31T23:59:59Z
			return time.Time{}, fmt.Errorf("%v is out of range for unix seconds", f)
		}
		sec, frac := math.Modf(f)
		t = time.Unix(int64(sec), int64(math.Round(frac*1e9)))
	}
	if typeName == "date" {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	return t.UTC(), nil
}
