package daybed

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/apiary/apiary/schema"
)

// param is one parameter of a field type, as /v1/fields lists it.
type param struct {
	Name  string         `json:"name"`
	Label string         `json:"label"`
	Type  string         `json:"type"`
	Items map[string]any `json:"items,omitempty"`
}

// fieldType is a Daybed field type and the Apiary column it is stored in.
type fieldType struct {
	Name       string
	Hint       string
	Params     []param
	ColumnType string // "" = no column (layout only)
	DataType   string
	check      func(f field, v any) string // "" when v is valid
}

var choicesParam = param{Name: "choices", Label: "Choices", Type: "array", Items: map[string]any{"type": "string"}}

// fieldTypes lists the field types in the order /v1/fields shows them.
func fieldTypes() []fieldType {
	return []fieldType{
		{Name: "int", Hint: "An integer", ColumnType: "measurement", DataType: "int(11)", check: checkInt},
		{Name: "string", Hint: "A set of characters", ColumnType: "label", DataType: "varchar(500)", check: checkString},
		{Name: "text", Hint: "A text", ColumnType: "content", DataType: "text", check: checkString},
		{Name: "decimal", Hint: "A decimal number", ColumnType: "float", check: checkNumber},
		{Name: "boolean", Hint: "True or false", ColumnType: "truefalse", check: checkBool},
		{Name: "email", Hint: "A valid email", ColumnType: "email", DataType: "varchar(200)", check: checkEmail},
		{Name: "url", Hint: "A valid URL", ColumnType: "url", DataType: "varchar(500)", check: checkURL},
		{Name: "enum", Hint: "A choice among values", Params: []param{choicesParam}, ColumnType: "label", DataType: "varchar(200)", check: checkEnum},
		{Name: "choices", Hint: "Some choices among values", Params: []param{choicesParam}, ColumnType: "json", check: checkChoices},
		{Name: "range", Hint: "A number with limits", Params: []param{{Name: "min", Label: "Minimum", Type: "int"}, {Name: "max", Label: "Maximum", Type: "int"}},
			ColumnType: "measurement", DataType: "int(11)", check: checkRange},
		{Name: "regex", Hint: "A string matching a pattern", Params: []param{{Name: "regex", Label: "Regular expression", Type: "string"}},
			ColumnType: "label", DataType: "varchar(500)", check: checkRegex},
		{Name: "date", Hint: "A date (yyyy-mm-dd)", ColumnType: "date", check: checkTime("2006-01-02")},
		{Name: "datetime", Hint: "A date with time (yyyy-mm-ddTHH:MM:SS)", ColumnType: "datetime", check: checkTime(time.RFC3339, "2006-01-02T15:04:05")},
		{Name: "json", Hint: "A JSON value", ColumnType: "json", check: func(field, any) string { return "" }},
		{Name: "point", Hint: "A point", Params: []param{{Name: "gps", Label: "Is GPS", Type: "boolean"}}, ColumnType: "json", check: checkCoords(1)},
		{Name: "line", Hint: "A set of points", Params: []param{{Name: "gps", Label: "Is GPS", Type: "boolean"}}, ColumnType: "json", check: checkCoords(2)},
		{Name: "polygon", Hint: "A set of closed lines", Params: []param{{Name: "gps", Label: "Is GPS", Type: "boolean"}}, ColumnType: "json", check: checkCoords(3)},
		{Name: "object", Hint: "The id of a record of another model", Params: []param{{Name: "model", Label: "Model", Type: "string"}},
			ColumnType: "label", DataType: "varchar(100)", check: checkString},
		{Name: "objects", Hint: "Ids of records of another model", Params: []param{{Name: "model", Label: "Model", Type: "string"}},
			ColumnType: "json", check: checkList},
		{Name: "annotation", Hint: "A text shown in forms, no value"},
	}
}

// lookupType returns the field type called name.
func lookupType(name string) (fieldType, bool) {
	for _, ft := range fieldTypes() {
		if ft.Name == name {
			return ft, true
		}
	}
	return fieldType{}, false
}

// field is one field of a definition.
type field struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Label    string   `json:"label,omitempty"`
	Hint     string   `json:"hint,omitempty"`
	Required *bool    `json:"required,omitempty"`
	Choices  []any    `json:"choices,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Regex    string   `json:"regex,omitempty"`
	Model    string   `json:"model,omitempty"`
}

// required reports whether a value must be given (Daybed's default: yes).
func (f field) required() bool { return f.Required == nil || *f.Required }

// fieldsResponse answers GET /v1/fields.
func fieldsResponse() []map[string]any {
	var out []map[string]any
	for _, ft := range fieldTypes() {
		m := map[string]any{"name": ft.Name, "default_hint": ft.Hint}
		if len(ft.Params) > 0 {
			m["parameters"] = ft.Params
		}
		out = append(out, m)
	}
	return out
}

// column is the Apiary column of a field, ok false for layout fields.
func (f field) column() (schema.Column, bool) {
	ft, _ := lookupType(f.Type)
	if ft.ColumnType == "" {
		return schema.Column{}, false
	}
	return schema.Column{Name: f.Name, ColumnName: f.Name, ColumnType: ft.ColumnType, DataType: ft.DataType,
		IsNullable: true, ColumnDescription: f.Label}, true
}

// validateField checks a field of a definition.
func validateField(i int, f field) []errorEntry {
	name := fmt.Sprintf("fields.%d", i)
	_, ok := lookupType(f.Type)
	var out []errorEntry
	switch {
	case !schema.ValidIdentifier(f.Name) || f.Name == "id" || schema.SnakeCase(f.Name) != f.Name:
		out = append(out, errorEntry{"body", name + ".name", fmt.Sprintf("%q is not a valid field name (lower case letters, digits and _)", f.Name)})
	case !ok:
		out = append(out, errorEntry{"body", name + ".type", fmt.Sprintf("%q is not a known field type (see /v1/fields)", f.Type)})
	case (f.Type == "enum" || f.Type == "choices") && len(f.Choices) == 0:
		out = append(out, errorEntry{"body", name + ".choices", "Required"})
	case f.Type == "regex":
		if _, err := regexp.Compile(f.Regex); err != nil || f.Regex == "" {
			out = append(out, errorEntry{"body", name + ".regex", "a valid regular expression is required"})
		}
	}
	return out
}

func checkInt(_ field, v any) string {
	n, ok := v.(float64)
	if !ok || n != math.Trunc(n) {
		return fmt.Sprintf("%s is not a number", js(v))
	}
	return ""
}

func checkNumber(_ field, v any) string {
	if _, ok := v.(float64); !ok {
		return fmt.Sprintf("%s is not a number", js(v))
	}
	return ""
}

func checkString(_ field, v any) string {
	if _, ok := v.(string); !ok {
		return fmt.Sprintf("%s is not a string", js(v))
	}
	return ""
}

func checkBool(_ field, v any) string {
	if _, ok := v.(bool); !ok {
		return fmt.Sprintf("%s is not a boolean", js(v))
	}
	return ""
}

func checkEmail(f field, v any) string {
	s, _ := v.(string)
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
		return "Invalid email address"
	}
	return ""
}

func checkURL(f field, v any) string {
	s, _ := v.(string)
	if u, err := url.Parse(s); err != nil || u.Scheme == "" || u.Host == "" {
		return "Must be a URL"
	}
	return ""
}

func checkEnum(f field, v any) string {
	if !slices.Contains(f.Choices, v) {
		return fmt.Sprintf("%s is not one of %s", js(v), js(f.Choices))
	}
	return ""
}

func checkChoices(f field, v any) string {
	list, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", js(v))
	}
	for _, e := range list {
		if !slices.Contains(f.Choices, e) {
			return fmt.Sprintf("%s is not one of %s", js(e), js(f.Choices))
		}
	}
	return ""
}

func checkRange(f field, v any) string {
	if msg := checkInt(f, v); msg != "" {
		return msg
	}
	n := v.(float64)
	if (f.Min != nil && n < *f.Min) || (f.Max != nil && n > *f.Max) {
		return fmt.Sprintf("%s is not in the range %s..%s", js(v), js(f.Min), js(f.Max))
	}
	return ""
}

func checkRegex(f field, v any) string {
	s, ok := v.(string)
	re, err := regexp.Compile(f.Regex)
	if !ok || err != nil || !re.MatchString(s) {
		return "String does not match expected pattern"
	}
	return ""
}

func checkTime(layouts ...string) func(field, any) string {
	return func(_ field, v any) string {
		s, _ := v.(string)
		for _, l := range layouts {
			if _, err := time.Parse(l, s); err == nil {
				return ""
			}
		}
		return fmt.Sprintf("Invalid date %s", js(v))
	}
}

func checkList(_ field, v any) string {
	if _, ok := v.([]any); !ok {
		return fmt.Sprintf("%s is not a list", js(v))
	}
	return ""
}

// checkCoords accepts a point [x, y], a line of points or a polygon of lines.
func checkCoords(depth int) func(field, any) string {
	var ok func(v any, d int) bool
	ok = func(v any, d int) bool {
		list, isList := v.([]any)
		if !isList {
			return false
		}
		if d == 1 {
			if len(list) < 2 {
				return false
			}
			for _, n := range list {
				if _, num := n.(float64); !num {
					return false
				}
			}
			return true
		}
		for _, e := range list {
			if !ok(e, d-1) {
				return false
			}
		}
		return len(list) > 0
	}
	return func(_ field, v any) string {
		if !ok(v, depth) {
			return fmt.Sprintf("%s is not a valid geometry", js(v))
		}
		return ""
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
