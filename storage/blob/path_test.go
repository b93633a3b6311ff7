package blob

import "testing"

func TestClean(t *testing.T) {
	cases := []struct {
		in, want string
		bad      bool
	}{
		{"", "", false},
		{"a/b/c.txt", "a/b/c.txt", false},
		{"a//b/./c", "a/b/c", false},
		{"a/b/", "a/b", false},
		{"../x", "", true},
		{"a/../../x", "", true},
		{"a/..", "", true},
		{"/etc/passwd", "", true},
		{"a\x00b", "", true},
		{`a\..\b`, "", true},
	}
	for _, c := range cases {
		got, err := Clean(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("Clean(%q) = %q, %v; want %q, bad=%v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestJoinAndValidName(t *testing.T) {
	if got, err := Join("/docs", "", "a/b.txt"); err != nil || got != "docs/a/b.txt" {
		t.Fatalf("Join = %q, %v", got, err)
	}
	if _, err := Join("docs", "../x"); err == nil {
		t.Fatal("Join accepted ..")
	}
	for name, ok := range map[string]bool{"a.png": true, "": false, "..": false, "a/b": false, "a\x00": false, ".": false} {
		if ValidName(name) != ok {
			t.Errorf("ValidName(%q) != %v", name, ok)
		}
	}
}
