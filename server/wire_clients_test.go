package server

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestLooksLikeJWT(t *testing.T) {
	for _, c := range []struct {
		tok  string
		want bool
	}{
		{"", false},
		{"null", false},
		{"undefined", false},
		{"not-a-token", false},
		{"a.b.c", false},
		{"eyJhbGciOiJIUzI1NiJ9.e30.sig", true},
		{"eyJhbGciOiJub25lIn0.e30.", true},
		{"eyJhbGciOiJIUzI1NiJ9.e30", false},
		{"WyJhIl0.e30.sig", false},    // header is a JSON list
		{"bnVsbA.e30.sig", false},     // header is JSON null
		{"eyJhIjo.e30.sig", false},    // header is a cut JSON object
		{"IHsiYSI6MX0.e30.sig", true}, // " {"a":1}": space before the object
		{"eyJhbGciOiJIUzI1NiJ9.e30.sig.x", false},
		{"eyJhbGciOiJIUzI1NiJ9=.e30.sig", true},  // padded header
		{"eyJhbGciOiJIUzI1NiJ9!.e30.sig", false}, // not base64url
		// Headers longer than the stack buffer take the heap path.
		{base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"`+strings.Repeat("k", 300)+`"}`)) + ".e30.sig", true},
		{base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"`+strings.Repeat("k", 300)+`"`)) + ".e30.sig", false},
	} {
		if got := looksLikeJWT(c.tok); got != c.want {
			t.Errorf("looksLikeJWT(%q) = %v, want %v", c.tok, got, c.want)
		}
	}
}

func TestActionRoute(t *testing.T) {
	for _, c := range []struct {
		path, typ, action string
		ok                bool
	}{
		{"/action/user_account/signin", "user_account", "signin", true},
		{"/api/user_account/action/signup", "user_account", "signup", true},
		{"/action/user_account/", "", "", false},
		{"/api/user_account", "", "", false},
		{"/api/user_account/relation/x", "", "", false},
		{"/graphql", "", "", false},
	} {
		typ, action, ok := actionRoute(c.path)
		if typ != c.typ || action != c.action || ok != c.ok {
			t.Errorf("actionRoute(%q) = %q %q %v", c.path, typ, action, ok)
		}
	}
}
