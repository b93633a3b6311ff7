package mail

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	def := 7 * time.Second
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", def},
		{"  ", def},
		{"90s", 90 * time.Second},
		{"31m", 31 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"60", time.Minute},
		{" 2.5 ", 2500 * time.Millisecond},
		{"0", def},
		{"-5", def},
		{"-1s", def},
		{"soon", def},
		{"10 minutes", def},
	}
	for _, c := range cases {
		if got := parseDuration(c.in, def); got != c.want {
			t.Errorf("parseDuration(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in   string
		want int64
	}{
		{"", 9}, {"12", 12}, {" 3 ", 3}, {"0", 9}, {"-4", 9}, {"1e3", 9}, {"many", 9},
	}
	for _, c := range cases {
		if got := parseNumber(c.in, 9); got != c.want {
			t.Errorf("parseNumber(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestFirstNonEmptyAndStr(t *testing.T) {
	if firstNonEmpty("", "", "b", "c") != "b" || firstNonEmpty() != "" || firstNonEmpty("", "") != "" {
		t.Error("firstNonEmpty")
	}
	if str("x") != "x" || str(3) != "" || str(nil) != "" {
		t.Error("str")
	}
}
