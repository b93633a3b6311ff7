package daybed

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/apiary/apiary/auth"
)

func TestFieldChecks(t *testing.T) {
	t.Parallel()
	min, max := 1.0, 5.0
	cases := []struct {
		f    field
		v    string
		good bool
	}{
		{field{Type: "int"}, `3`, true},
		{field{Type: "int"}, `3.5`, false},
		{field{Type: "int"}, `"3"`, false},
		{field{Type: "decimal"}, `3.5`, true},
		{field{Type: "string"}, `"x"`, true},
		{field{Type: "string"}, `1`, false},
		{field{Type: "boolean"}, `true`, true},
		{field{Type: "boolean"}, `"true"`, false},
		{field{Type: "email"}, `"a@b.test"`, true},
		{field{Type: "email"}, `"nope"`, false},
		{field{Type: "url"}, `"https://x.test/a"`, true},
		{field{Type: "url"}, `"x"`, false},
		{field{Type: "enum", Choices: []any{"a", "b"}}, `"a"`, true},
		{field{Type: "enum", Choices: []any{"a", "b"}}, `"c"`, false},
		{field{Type: "choices", Choices: []any{"a", "b"}}, `["a","b"]`, true},
		{field{Type: "choices", Choices: []any{"a", "b"}}, `["c"]`, false},
		{field{Type: "range", Min: &min, Max: &max}, `5`, true},
		{field{Type: "range", Min: &min, Max: &max}, `6`, false},
		{field{Type: "regex", Regex: "^[a-z]+$"}, `"abc"`, true},
		{field{Type: "regex", Regex: "^[a-z]+$"}, `"ab1"`, false},
		{field{Type: "date"}, `"2014-07-24"`, true},
		{field{Type: "date"}, `"24/07/2014"`, false},
		{field{Type: "datetime"}, `"2014-07-24T16:25:49Z"`, true},
		{field{Type: "point"}, `[1.5, 2]`, true},
		{field{Type: "point"}, `[1]`, false},
		{field{Type: "line"}, `[[1,2],[3,4]]`, true},
		{field{Type: "polygon"}, `[[[1,2],[3,4],[1,2]]]`, true},
		{field{Type: "polygon"}, `[[1,2]]`, false},
	}
	for _, c := range cases {
		var v any
		if err := json.Unmarshal([]byte(c.v), &v); err != nil {
			t.Fatal(err)
		}
		ft, ok := lookupType(c.f.Type)
		if !ok {
			t.Fatalf("no type %s", c.f.Type)
		}
		if msg := ft.check(c.f, v); (msg == "") != c.good {
			t.Errorf("%s %s: %q", c.f.Type, c.v, msg)
		}
	}
}

func TestDerive(t *testing.T) {
	t.Parallel()
	const me = "0123456789abcdef0123456789abcdef"
	all := permissionNames()
	cases := []struct {
		name  string
		perms map[string][]string
		want  bits
	}{
		{"creator only", map[string][]string{me: all}, bits{gate: 31 << shiftOwn, row: 27 << shiftOwn,
			groups: map[string]groupBits{"users": {}, personalGroup(me): {31 << shiftGrp, 27 << shiftGrp}}}},
		{"everyone reads records", map[string][]string{principalEveryone: {"read_all_records"}}, bits{gate: 3, row: 3,
			groups: map[string]groupBits{"users": {}}}},
		{"authenticated updates all", map[string][]string{principalAuthenticated: {"read_all_records", "update_all_records"}},
			bits{gate: auth.AuthenticatedExecute, row: auth.AuthenticatedExecute, groups: map[string]groupBits{"users": {11 << shiftGrp, 11 << shiftGrp}}}},
		{"own records", map[string][]string{principalAuthenticated: {"create_record", "read_own_records"}},
			bits{gate: auth.AuthenticatedExecute, row: 3 << shiftOwn, groups: map[string]groupBits{"users": {7 << shiftGrp, 0}}}},
	}
	for _, c := range cases {
		got := derive(&meta{Permissions: c.perms, OwnerCreds: me})
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	if dg := derive(&meta{Permissions: map[string][]string{me: all}, OwnerCreds: me}).defaultGroups(); len(dg) != 1 || dg[0].Name != personalGroup(me) {
		t.Errorf("default groups %v", dg)
	}
}
