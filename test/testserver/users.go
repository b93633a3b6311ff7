package testserver

import (
	"net/http"
	"testing"
)

// SignUp creates an account through the signup action.
func (s *Server) SignUp(t testing.TB, name, email, password string) {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/action/user_account/signup", map[string]any{"attributes": map[string]any{
		"name": name, "email": email, "password": password, "passwordConfirm": password}}, "")
	if r.Status != http.StatusOK {
		t.Fatalf("signup %s: %d %s", email, r.Status, r.Body)
	}
}

// SignIn returns a JWT for the account.
func (s *Server) SignIn(t testing.TB, email, password string) string {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
		"email": email, "password": password}}, "")
	if r.Status != http.StatusOK {
		t.Fatalf("signin %s: %d %s", email, r.Status, r.Body)
	}
	list, ok := r.JSON(t).([]any)
	if !ok {
		t.Fatalf("signin answer is not a list: %s", r.Body)
	}
	for _, item := range list {
		m, _ := item.(map[string]any)
		if m["ResponseType"] == "client.store.set" {
			attrs, _ := m["Attributes"].(map[string]any)
			if tok, ok := attrs["value"].(string); ok {
				return tok
			}
		}
	}
	t.Fatalf("signin answer has no token: %s", r.Body)
	return ""
}

// User signs up and signs in, returning the token.
func (s *Server) User(t testing.TB, name, email, password string) string {
	t.Helper()
	s.SignUp(t, name, email, password)
	return s.SignIn(t, email, password)
}

// Admin creates the first user, makes it administrator and returns its
// token: the instance is locked down afterwards.
func (s *Server) Admin(t testing.TB) string {
	t.Helper()
	tok := s.User(t, "Admin", "admin@example.test", "admin-password")
	r := s.Do(t, http.MethodPost, "/action/world/become_an_administrator", map[string]any{"attributes": map[string]any{}}, tok)
	if r.Status != http.StatusOK {
		t.Fatalf("become_an_administrator: %d %s", r.Status, r.Body)
	}
	return tok
}
