package hardening

import (
	"net/http"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// userRef returns the reference id of the account behind token.
func userRef(t *testing.T, s *testserver.Server, token, email string) string {
	t.Helper()
	for _, u := range listData(t, s.Do(t, http.MethodGet, "/api/user_account?page[size]=100", nil, token)) {
		if u["attributes"].(map[string]any)["email"] == email {
			return u["id"].(string)
		}
	}
	t.Fatalf("%s cannot see their own account", email)
	return ""
}

func patchUser(t *testing.T, s *testserver.Server, token, id string, attrs map[string]any) testserver.Response {
	t.Helper()
	return s.Do(t, http.MethodPatch, "/api/user_account/"+id, map[string]any{"data": map[string]any{
		"type": "user_account", "id": id, "attributes": attrs}}, token)
}

// A plain user changes their own name, and their password only with the
// current one; the change ends their older tokens. Nothing else on the
// row, and nobody else's row.
func userUpdatesOwnAccount(t *testing.T, s *testserver.Server, admin string) {
	tok := s.User(t, "Ann", "ann@example.test", "ann-password")
	other := s.User(t, "Bob", "bob@example.test", "bob-password")
	me := userRef(t, s, tok, "ann@example.test")
	bob := userRef(t, s, other, "bob@example.test")

	if r := patchUser(t, s, tok, me, map[string]any{"name": "Ann B."}); r.Status != http.StatusOK {
		t.Fatalf("own name: %d %s", r.Status, r.Body)
	}
	if r := patchUser(t, s, tok, me, map[string]any{"name": "Ann C.", "email": "ann@example.test"}); r.Status != http.StatusOK {
		t.Errorf("own name with the e-mail sent back unchanged: %d %s", r.Status, r.Body)
	}
	refused := []struct {
		name  string
		id    string
		attrs map[string]any
		want  int
	}{
		{"own e-mail", me, map[string]any{"email": "new@example.test"}, http.StatusForbidden},
		{"own confirmed flag", me, map[string]any{"confirmed": true}, http.StatusForbidden},
		{"password without the current one", me, map[string]any{"password": "new-password"}, http.StatusUnprocessableEntity},
		{"password with a wrong current one", me, map[string]any{"password": "new-password", "current_password": "wrong-one"}, http.StatusForbidden},
		{"someone else's name", bob, map[string]any{"name": "Mallory"}, http.StatusForbidden},
	}
	for _, tc := range refused {
		if r := patchUser(t, s, tok, tc.id, tc.attrs); r.Status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.want)
		}
	}
	r := patchUser(t, s, tok, me, map[string]any{"password": "new-password", "current_password": "ann-password"})
	if r.Status != http.StatusOK {
		t.Fatalf("own password: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, http.MethodGet, "/api/user_account", nil, tok); r.Status != http.StatusUnauthorized {
		t.Errorf("a token from before the password change still works: %d", r.Status)
	}
	fresh := s.SignIn(t, "ann@example.test", "new-password")
	got := s.Do(t, http.MethodGet, "/api/user_account/"+me, nil, fresh)
	attrs := got.Map(t)["data"].(map[string]any)["attributes"].(map[string]any)
	if attrs["name"] != "Ann C." || attrs["email"] != "ann@example.test" {
		t.Errorf("account after the changes: %v", attrs)
	}
	if r := s.Do(t, http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
		"email": "ann@example.test", "password": "ann-password"}}, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("the old password still signs in: %d", r.Status)
	}
}
