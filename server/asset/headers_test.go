package asset

import (
	"testing"
	"time"
)

func TestHeaders(t *testing.T) {
	cases := []struct {
		typ, name, disp string
		exp             time.Duration
	}{
		{"image/png", "a.png", `inline; filename="a.png"`, expiryImage},
		{"video/mp4", "v.mp4", `inline; filename="v.mp4"`, expiryVideo},
		{"text/plain", "n.txt", `inline; filename="n.txt"`, expiryText},
		{"application/json", "d.json", `inline; filename="d.json"`, expiryText},
		{"application/pdf", "r.pdf", `attachment; filename="r.pdf"`, expiryOther},
		{"application/octet-stream", "x.zip", `attachment; filename="x.zip"`, expiryOther},
		{"text/plain", `q"uote.txt`, `inline; filename="quote.txt"`, expiryText},
	}
	for _, c := range cases {
		if got := disposition(c.typ, c.name); got != c.disp {
			t.Errorf("disposition(%s, %s) = %s", c.typ, c.name, got)
		}
		if got := expiry(c.typ, c.name); got != c.exp {
			t.Errorf("expiry(%s, %s) = %v", c.typ, c.name, got)
		}
	}
}

func TestLies(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	cases := []struct {
		declared string
		data     []byte
		want     bool
	}{
		{"image/png", png, false},
		{"image/png", []byte("<html>x</html>"), true},
		{"text/plain", png, true},
		{"application/octet-stream", png, false},
		{"text/plain", []byte("hello"), false},
		{"", png, false},
		{"not a mime", png, true},
	}
	for _, c := range cases {
		if got := lies(c.declared, c.data); got != c.want {
			t.Errorf("lies(%q) = %v", c.declared, got)
		}
	}
}
