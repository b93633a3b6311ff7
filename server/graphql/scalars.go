package graphql

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// dateLayouts are the spellings DateTime accepts, most specific first.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// parseDate reads a plain date or an RFC 3339 timestamp.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// scalars are the custom scalar types of one GraphQL schema. They are
// built with each schema, so no graphql-go type object is shared between
// schemas (or between servers in one process).
type scalars struct {
	dateTime, json *graphql.Scalar
}

func newScalars() scalars { return scalars{dateTime: newDateTime(), json: newJSONScalar()} }

// newDateTime is the DateTime scalar: it accepts both 2026-12-24 and RFC
// 3339 and always answers RFC 3339 in UTC.
func newDateTime() *graphql.Scalar {
	return graphql.NewScalar(graphql.ScalarConfig{
		Name:        "DateTime",
		Description: "A date or a date and time: accepts 2006-01-02 or RFC 3339, answers RFC 3339 in UTC.",
		Serialize: func(v any) any {
			switch x := v.(type) {
			case time.Time:
				return x.UTC().Format(time.RFC3339Nano)
			case *time.Time:
				if x == nil {
					return nil
				}
				return x.UTC().Format(time.RFC3339Nano)
			case string:
				if t, ok := parseDate(x); ok {
					return t.Format(time.RFC3339Nano)
				}
				return x
			case nil:
				return nil
			}
			return nil
		},
		ParseValue: func(v any) any {
			switch x := v.(type) {
			case string:
				if t, ok := parseDate(x); ok {
					return t
				}
			case time.Time:
				return x.UTC()
			}
			return nil
		},
		ParseLiteral: func(v ast.Value) any {
			if s, ok := v.(*ast.StringValue); ok {
				if t, ok := parseDate(s.Value); ok {
					return t
				}
			}
			return nil
		},
	})
}

// newJSONScalar is the JSON scalar: any JSON value in and out. Query
// filters, action attributes and action responses use it.
func newJSONScalar() *graphql.Scalar {
	return graphql.NewScalar(graphql.ScalarConfig{
		Name:        "JSON",
		Description: "Any JSON value.",
		Serialize:   func(v any) any { return v },
		ParseValue:  func(v any) any { return v },
		ParseLiteral: func(v ast.Value) any {
			return literal(v)
		},
	})
}

// literal turns a GraphQL literal into the value encoding/json would give.
func literal(v ast.Value) any {
	switch x := v.(type) {
	case *ast.StringValue:
		return x.Value
	case *ast.IntValue:
		if n, err := strconv.ParseInt(x.Value, 10, 64); err == nil {
			return float64(n)
		}
		return json.Number(x.Value)
	case *ast.FloatValue:
		if f, err := strconv.ParseFloat(x.Value, 64); err == nil {
			return f
		}
		return json.Number(x.Value)
	case *ast.BooleanValue:
		return x.Value
	case *ast.EnumValue:
		return x.Value
	case *ast.ListValue:
		out := make([]any, 0, len(x.Values))
		for _, e := range x.Values {
			out = append(out, literal(e))
		}
		return out
	case *ast.ObjectValue:
		out := make(map[string]any, len(x.Fields))
		for _, f := range x.Fields {
			out[f.Name.Value] = literal(f.Value)
		}
		return out
	}
	return nil
}

// output maps a column type's GraphQL type name to the scalar.
func (s scalars) output(name string) graphql.Output {
	switch name {
	case "Int":
		return graphql.Int
	case "Float":
		return graphql.Float
	case "Boolean":
		return graphql.Boolean
	case "DateTime":
		return s.dateTime
	case "ID":
		return graphql.ID
	}
	return graphql.String
}

// input is output for arguments.
func (s scalars) input(name string) graphql.Input {
	if name == "DateTime" {
		return s.dateTime
	}
	return s.output(name).(graphql.Input)
}
