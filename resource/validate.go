package resource

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apiary/apiary/schema"
)

// validateTags applies a table's Validations (validator tags such as
// required, email, url, min=N, max=N, oneof=a b) to the attributes present.
func validateTags(t *schema.Table, attrs map[string]any) error {
	for _, v := range t.Validations {
		val, present := attrs[v.ColumnName]
		if !present {
			continue
		}
		if tag, ok := CheckTags(v.Tags, val, attrs); !ok {
			return invalidAttr(v.ColumnName, "failed the %q validation", tag)
		}
	}
	return nil
}

// CheckTags evaluates comma-separated validator tags against a value and
// returns the first failing tag. attrs gives eqfield its sibling values.
func CheckTags(tags string, val any, attrs map[string]any) (string, bool) {
	s := ""
	if val != nil {
		s = fmt.Sprint(val)
	}
	for _, tag := range strings.Split(tags, ",") {
		tag = strings.TrimSpace(tag)
		name, arg, _ := strings.Cut(tag, "=")
		ok := true
		switch name {
		case "", "omitempty", "trim", "lower":
		case "required":
			ok = val != nil && strings.TrimSpace(s) != ""
		case "email":
			_, err := mail.ParseAddress(s)
			ok = err == nil && !strings.ContainsAny(s, "<> ")
		case "url":
			u, err := url.Parse(s)
			ok = err == nil && u.Scheme != "" && u.Host != ""
		case "min", "max", "len":
			n, err := strconv.Atoi(arg)
			if err != nil {
				continue
			}
			l := utf8.RuneCountInString(s)
			if f, isNum := val.(float64); isNum {
				l = int(f)
			}
			ok = (name == "min" && l >= n) || (name == "max" && l <= n) || (name == "len" && l == n)
		case "oneof":
			ok = false
			for _, o := range strings.Fields(arg) {
				ok = ok || o == s
			}
		case "eqfield":
			field := strings.TrimSuffix(strings.TrimPrefix(arg, "InnerStructField["), "]")
			ok = fmt.Sprint(attrs[field]) == s
		}
		if !ok {
			return name, false
		}
	}
	return "", true
}
