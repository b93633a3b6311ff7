package ftp

import "testing"

func TestSplit(t *testing.T) {
	cases := []struct {
		in, host, rest string
		bad            bool
	}{
		{"/", "", "", false},
		{"/Blog.Test", "blog.test", "", false},
		{"/blog.test/a/b.txt", "blog.test", "a/b.txt", false},
		{"/blog.test/a\x00b", "", "", true},
		{`/blog.test/a\b`, "", "", true},
		{"/blog.test/../x", "", "", true},
	}
	for _, c := range cases {
		got, err := split(c.in)
		if (err != nil) != c.bad || (!c.bad && (got.host != c.host || got.rest != c.rest)) {
			t.Errorf("split(%q) = %+v, %v", c.in, got, err)
		}
	}
}
