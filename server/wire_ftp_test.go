package server

import (
	"testing"
	"time"
)

func TestFTPDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"", 0, false},
		{"30", 30 * time.Second, false},
		{"90s", 90 * time.Second, false},
		{"5m", 5 * time.Minute, false},
		{"0", 0, true},
		{"-3s", 0, true},
		{"soon", 0, true},
	}
	for _, c := range cases {
		got, err := ftpDuration(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ftpDuration(%q) = %v, %v", c.in, got, err)
		}
	}
}
