package sqlval

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Kind is how a column's SQL type holds values, whatever the driver.
type Kind int

const (
	String Kind = iota
	Int
	Float
	Bool
	Time
	Bytes
)

// KindOf reads the generic DataType of a column.
func KindOf(dataType string) Kind {
	t := strings.ToLower(strings.TrimSpace(dataType))
	if i := strings.IndexAny(t, "( "); i >= 0 {
		t = t[:i]
	}
	switch t {
	case "int", "integer", "bigint", "smallint", "tinyint", "mediumint", "serial", "bigserial":
		return Int
	case "float", "double", "real", "decimal", "numeric":
		return Float
	case "bool", "boolean":
		return Bool
	case "timestamp", "datetime", "date":
		return Time
	case "binary", "varbinary", "blob", "tinyblob", "mediumblob", "longblob", "bytea":
		return Bytes
	}
	return String
}

// FromDB turns whatever the driver returned into the canonical Go value
// for the storage kind: string, int64, float64, bool, time.Time, []byte.
func FromDB(sk Kind, v any) any {
	if v == nil {
		return nil
	}
	switch sk {
	case Int:
		switch x := v.(type) {
		case int64:
			return x
		case int32:
			return int64(x)
		case int:
			return int64(x)
		case float64:
			return int64(x)
		case bool:
			return BoolInt(x)
		case []byte:
			n, _ := strconv.ParseInt(string(x), 10, 64)
			return n
		case string:
			n, _ := strconv.ParseInt(x, 10, 64)
			return n
		}
	case Float:
		switch x := v.(type) {
		case float64:
			return x
		case float32:
			return float64(x)
		case int64:
			return float64(x)
		case []byte:
			f, _ := strconv.ParseFloat(string(x), 64)
			return f
		case string:
			f, _ := strconv.ParseFloat(x, 64)
			return f
		}
	case Bool:
		switch x := v.(type) {
		case bool:
			return x
		case int64:
			return x != 0
		case []byte:
			return string(x) == "1" || strings.EqualFold(string(x), "true")
		case string:
			return x == "1" || strings.EqualFold(x, "true")
		}
	case Time:
		switch x := v.(type) {
		case time.Time:
			return x.UTC()
		case []byte:
			return ParseTime(string(x))
		case string:
			return ParseTime(x)
		}
	case Bytes:
		switch x := v.(type) {
		case []byte:
			return append([]byte(nil), x...)
		case string:
			return []byte(x)
		}
	}
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC()
	}
	return v
}

var dbTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02",
}

func ParseTime(s string) any {
	for _, l := range dbTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return s
}

func BoolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// ToDB converts a normalized value into what the column's SQL type takes.
func ToDB(sk Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch sk {
	case Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case float64:
			if x != math.Trunc(x) {
				return nil, fmt.Errorf("want a whole number, got %v", x)
			}
			return int64(x), nil
		case bool:
			return BoolInt(x), nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("want a whole number, got %q", x)
			}
			return n, nil
		}
	case Float:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, fmt.Errorf("want a number, got %q", x)
			}
			return f, nil
		}
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		}
	case Time:
		if t, ok := v.(time.Time); ok {
			return t.UTC(), nil
		}
	case Bytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case String:
		switch x := v.(type) {
		case string:
			return x, nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano), nil
		case map[string]any, []any:
			b, err := json.Marshal(x)
			return string(b), err
		}
	}
	return nil, fmt.Errorf("unsupported value %T", v)
}

// RefBytes parses a public id into the 16 bytes stored in reference_id.
func RefBytes(id string) ([]byte, bool) {
	if len(id) != 36 {
		return nil, false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, false
	}
	return u[:], true
}

// RefString formats stored reference_id bytes as the public id.
func RefString(v any) string {
	b, ok := v.([]byte)
	if !ok {
		if s, ok := v.(string); ok {
			b = []byte(s)
		}
	}
	if len(b) == 16 {
		u, _ := uuid.FromBytes(b)
		return u.String()
	}
	if len(b) == 36 {
		return string(b)
	}
	return ""
}

// NewRefID returns a fresh UUIDv7.
func NewRefID() (string, []byte) {
	u, err := uuid.NewV7()
	if err != nil {
		u = uuid.New()
	}
	return u.String(), u[:]
}
