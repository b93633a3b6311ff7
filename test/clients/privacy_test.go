package clients

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// TestNoEmailLeaksBetweenUsers: after lock-down a plain user reaches other
// users' e-mail addresses through no route (usergroup names, relations,
// includes, aggregates, GraphQL, /meta, /statistics).
func TestNoEmailLeaksBetweenUsers(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	admin := s.Admin(t)
	bob := s.User(t, "Bob", "bob@example.test", "bob-password")
	s.User(t, "Carol", "carol@example.test", "carol-password")
	enableGraphQL(t, s, admin)

	var names []string
	for _, g := range list(t, s.Do(t, http.MethodGet, "/api/usergroup", nil, bob)) {
		names = append(names, attr(g, "name").(string))
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "users" {
		t.Errorf("bob's usergroups: %v (Daptin shows a plain user the shared users group)", names)
	}
	var adminGroups []string
	for _, g := range list(t, s.Do(t, http.MethodGet, "/api/usergroup", nil, admin)) {
		adminGroups = append(adminGroups, attr(g, "name").(string))
	}
	sort.Strings(adminGroups)
	if strings.Join(adminGroups, ",") != "administrators,guests,users" {
		t.Errorf("admin's usergroups: %v", adminGroups)
	}
	usersID := ""
	for _, g := range list(t, s.Do(t, http.MethodGet, "/api/usergroup", nil, bob)) {
		usersID, _ = g["id"].(string)
	}
	bobID := list(t, s.Do(t, http.MethodGet, "/api/user_account", nil, bob))[0]["id"].(string)
	gql := url.QueryEscape(`{ user_account { email } usergroup { name } }`)
	// Where bob's own data must show (so the check above is not vacuous).
	wantOwn := map[string]string{"/api/user_account": "bob@example.test", "/aggregate/user_account?column=email": "bob@example.test",
		"/graphql?query=" + gql: `"user_account":[{"email":"bob@example.test"}],"usergroup":[{"name":"users"}]`}
	for _, path := range []string{
		"/api/usergroup?include=user_account_id",
		"/api/user_account",
		"/api/user_account?include=usergroup_id",
		"/api/user_account/" + bobID + "/usergroup_id",
		"/api/usergroup/" + usersID + "/user_account_id",
		"/api/usergroup/" + usersID + "?include=user_account_id",
		"/aggregate/user_account?column=email",
		"/aggregate/usergroup?column=name",
		"/graphql?query=" + gql,
		"/meta",
		"/statistics",
	} {
		r := s.Do(t, http.MethodGet, path, nil, bob)
		body := string(r.Body)
		if strings.Contains(body, "carol@") || strings.Contains(body, "admin@") {
			t.Errorf("%s shows another user's e-mail to bob: %d %.400s", path, r.Status, body)
		}
		if want := wantOwn[path]; want != "" && !strings.Contains(body, want) {
			t.Errorf("%s: bob's own %q missing: %d %.400s", path, want, r.Status, body)
		}
		if r.Status >= 500 {
			t.Errorf("%s: %d %s", path, r.Status, body)
		}
	}
}
