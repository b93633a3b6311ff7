package site

import "testing"

func TestMatch(t *testing.T) {
	routes := []route{
		{name: "post", segs: []string{"blog", ":slug"}},
		{name: "file", segs: []string{"files", "*"}},
		{name: "brace", segs: []string{"u", "{id}", "edit"}},
	}
	cases := []struct {
		path, name, param, value string
		ok                       bool
	}{
		{"/blog/hello", "post", "slug", "hello", true},
		{"/blog", "", "", "", false},
		{"/blog/a/b", "", "", "", false},
		{"/files/a/b/c", "file", "*", "a/b/c", true},
		{"/u/7/edit", "brace", "id", "7", true},
		{"/u/7", "", "", "", false},
		{"/other", "", "", "", false},
	}
	for _, c := range cases {
		name, params, ok := match(routes, c.path)
		if ok != c.ok || name != c.name || (ok && params[c.param] != c.value) {
			t.Errorf("match(%s) = %s %v %v", c.path, name, params, ok)
		}
	}
}

func TestAPIPath(t *testing.T) {
	for p, want := range map[string]bool{"/api/x": true, "/api": true, "/apix": false, "/asset/a/b/c": true, "/": false, "/.well-known/acme-challenge/x": true} {
		if isAPIPath(p) != want {
			t.Errorf("isAPIPath(%s) != %v", p, want)
		}
	}
}
