package hardening

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// After lock-down no row of any system table keeps the allow-all
// permission: guests see no usergroup or membership row, so no e-mail
// address in a group name.
func lockDownClosesGroups(t *testing.T, s *testserver.Server, admin string) {
	for _, path := range []string{"/api/usergroup", "/api/user_account_user_account_id_has_usergroup_usergroup_id", "/api/user_account"} {
		r := s.Do(t, http.MethodGet, path, nil, "")
		if strings.Contains(string(r.Body), "2097151") || strings.Contains(string(r.Body), "admin@example.test") {
			t.Errorf("guest GET %s after lock-down: %d %s", path, r.Status, r.Body)
		}
	}
}

// listData returns the data array of a JSON:API list answer.
func listData(t *testing.T, r testserver.Response) []map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	var out []map[string]any
	for _, d := range r.Map(t)["data"].([]any) {
		out = append(out, d.(map[string]any))
	}
	return out
}

// A plain user sees their own membership rows and those of groups they
// belong to, never who is an administrator.
func membershipRowsArePrivate(t *testing.T, s *testserver.Server, admin string) {
	user := s.User(t, "Plain", "plain@example.test", "plain-password")
	const memberships = "/api/user_account_user_account_id_has_usergroup_usergroup_id"
	adminGroup := ""
	for _, g := range listData(t, s.Do(t, http.MethodGet, "/api/usergroup?page[size]=100", nil, admin)) {
		if g["attributes"].(map[string]any)["name"] == "administrators" {
			adminGroup = g["id"].(string)
		}
	}
	if adminGroup == "" {
		t.Fatal("no administrators group")
	}
	all := listData(t, s.Do(t, http.MethodGet, memberships+"?page[size]=100", nil, admin))
	adminRows := 0
	for _, m := range all {
		if m["attributes"].(map[string]any)["usergroup_id"] == adminGroup {
			adminRows++
		}
	}
	if adminRows != 1 {
		t.Fatalf("administrator sees %d administrators memberships, want 1", adminRows)
	}
	mine := listData(t, s.Do(t, http.MethodGet, memberships+"?page[size]=100", nil, user))
	if len(mine) == 0 {
		t.Fatal("a user cannot see their own memberships")
	}
	for _, m := range mine {
		if m["attributes"].(map[string]any)["usergroup_id"] == adminGroup {
			t.Errorf("a plain user sees an administrators membership: %v", m)
		}
	}
	q := `?query=[{"column":"usergroup_id","operator":"is","value":"` + adminGroup + `"}]`
	if got := listData(t, s.Do(t, http.MethodGet, memberships+q, nil, user)); len(got) != 0 {
		t.Errorf("query for administrators memberships as a plain user: %v", got)
	}
	for _, m := range all {
		if m["attributes"].(map[string]any)["usergroup_id"] == adminGroup {
			r := s.Do(t, http.MethodGet, memberships+"/"+m["id"].(string), nil, user)
			if r.Status == http.StatusOK {
				t.Errorf("a plain user can read the administrator's membership by id: %s", r.Body)
			}
		}
	}
}
