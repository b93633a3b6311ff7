package daybed

import (
	"reflect"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/schema"
)

func TestGroupNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ab", 32)
	if got := personalGroup(long); got != personalPrefix+long[:24] {
		t.Errorf("personalGroup = %q", got)
	}
	if got := personalGroup("short"); got != personalPrefix+"short" {
		t.Errorf("personalGroup(short) = %q", got)
	}
	for name, want := range map[string]bool{schema.GroupUsers: true, personalGroup(long): true, "administrators": false, "team": false} {
		if managedGroup(name) != want {
			t.Errorf("managedGroup(%q) = %v", name, !want)
		}
	}
}

func TestDefaultGroupsAreSortedAndSkipEmpty(t *testing.T) {
	t.Parallel()
	b := bits{groups: map[string]groupBits{
		"zeta":  {row: 3},
		"alpha": {row: 1},
		"empty": {gate: 5},
	}}
	got := b.defaultGroups()
	var names []string
	for _, g := range got {
		names = append(names, g.Name)
	}
	if !reflect.DeepEqual(names, []string{"alpha", "zeta"}) || got[1].Permission != 3 {
		t.Errorf("default groups: %+v", got)
	}
	if len((bits{}).defaultGroups()) != 0 {
		t.Error("no groups, no default groups")
	}
}

func TestAllowedPermissions(t *testing.T) {
	t.Parallel()
	h := &handler{}
	m := &meta{Permissions: map[string][]string{
		principalEveryone:      {"read_definition"},
		principalAuthenticated: {"create_record"},
		"cred-1":               {"delete_model"},
	}}
	guest := &req{}
	user := &req{p: auth.Principal{UserID: 2, UserRef: "u-2"}, credID: "cred-2"}
	owner := &req{p: auth.Principal{UserID: 1, UserRef: "u-1"}, credID: "cred-1"}
	admin := &req{p: auth.Principal{UserID: 3, Admin: true}}
	for _, c := range []struct {
		q    *req
		perm string
		want bool
	}{
		{guest, "read_definition", true}, {guest, "create_record", false},
		{user, "read_definition", true}, {user, "create_record", true}, {user, "delete_model", false},
		{owner, "delete_model", true}, {admin, "update_permissions", true},
	} {
		if got := h.allowed(c.q, m, c.perm); got != c.want {
			t.Errorf("allowed(%+v, %s) = %v", c.q.p, c.perm, got)
		}
	}
}
