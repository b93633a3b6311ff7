package jsonapi

import (
	"net/url"
	"strings"
	"testing"
)

func TestQueryLimits(t *testing.T) {
	t.Parallel()
	list := func(n int) string { return strings.TrimSuffix(strings.Repeat("a,", n), ",") }
	conds := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(`{"column":"a","operator":"is","value":1},`, n), ",") + "]"
	}
	tests := []struct {
		name, key, val string
		ok             bool
	}{
		{"include at the limit", "include", list(MaxListItems), true},
		{"include over the limit", "include", list(MaxListItems + 1), false},
		{"fields over the limit", "fields", list(MaxListItems + 1), false},
		{"sort over the limit", "sort", list(MaxListItems + 1), false},
		{"relation ids at the limit", "user_account_id", list(MaxFilterIDs), true},
		{"relation ids over the limit", "user_account_id", list(MaxFilterIDs + 1), false},
		{"conditions at the limit", "query", conds(MaxConditions), true},
		{"conditions over the limit", "query", conds(MaxConditions + 1), false},
	}
	for _, tc := range tests {
		_, err := parseQuery(url.Values{tc.key: {tc.val}})
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
}
