package resource

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/apiary/apiary/schema"
)

// storageKind is how a column's SQL type holds values, whatever the driver.
type storageKind int

const (
	skString storageKind = iota
	skInt
	skFloat
	skBool
	skTime
	skBytes
)

// storageKindOf reads the generic DataType of a column.
func storageKindOf(dataType string) storageKind {
	t := strings.ToLower(strings.TrimSpace(dataType))
	if i := strings.IndexAny(t, "( "); i >= 0 {
		t = t[:i]
	}
	switch t {
	case "int", "integer", "bigint", "smallint", "tinyint", "mediumint", "serial", "bigserial":
		return skInt
	case "float", "double", "real", "decimal", "numeric":
		return skFloat
	case "bool", "boolean":
		return skBool
	case "timestamp", "datetime", "date":
		return skTime
	case "binary", "varbinary", "blob", "tinyblob", "mediumblob", "longblob", "bytea":
		return skBytes
	}
	return skString
}

// fromDB turns whatever the driver returned into the canonical Go value
// for the storage kind: string, int64, float64, bool, time.Time, []byte.
func fromDB(sk storageKind, v any) any {
	if v == nil {
		return nil
	}
	switch sk {
	case skInt:
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
			return boolInt(x)
		case []byte:
			n, _ := strconv.ParseInt(string(x), 10, 64)
			return n
		case string:
			n, _ := strconv.ParseInt(x, 10, 64)
			return n
		}
	case skFloat:
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
	case skBool:
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
	case skTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC()
		case []byte:
			return parseDBTime(string(x))
		case string:
			return parseDBTime(x)
		}
	case skBytes:
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

func parseDBTime(s string) any {
	for _, l := range dbTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return s
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// toDB converts a normalized value into what the column's SQL type takes.
func toDB(sk storageKind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch sk {
	case skInt:
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
			return boolInt(x), nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("want a whole number, got %q", x)
			}
			return n, nil
		}
	case skFloat:
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
	case skBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		}
	case skTime:
		if t, ok := v.(time.Time); ok {
			return t.UTC(), nil
		}
	case skBytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case skString:
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

// refBytes parses a public id into the 16 bytes stored in reference_id.
func refBytes(id string) ([]byte, bool) {
	if len(id) != 36 {
		return nil, false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, false
	}
	return u[:], true
}

// refString formats stored reference_id bytes as the public id.
func refString(v any) string {
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

// newRefID returns a fresh UUIDv7.
func newRefID() (string, []byte) {
	u, err := uuid.NewV7()
	if err != nil {
		u = uuid.New()
	}
	return u.String(), u[:]
}

// Truthy reads a boolean leniently, as surfaces receive it: 0/1 from the
// resource layer, or a JSON boolean or text from a client. It is
// schema.ParseBool, with any other non-zero number true and anything
// else unreadable false.
func Truthy(v any) bool {
	if b, err := schema.ParseBool(v); err == nil {
		return b
	}
	switch x := v.(type) {
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	}
	return false
}
