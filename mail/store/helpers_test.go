package store

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
)

func TestClip(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"truncated", 5, "trunc"},
		{"nul\x00byte", 20, "nulbyte"},
		{"bad \xff utf8", 20, "bad \uFFFD utf8"},
		{"café", 4, "caf"}, // é is two bytes: never cut inside it
		{"日本語", 4, "日"},
		{"", 3, ""},
	}
	for _, c := range cases {
		if got := clip(c.in, c.n); got != c.want {
			t.Errorf("clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestFlagHelpers(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{`\Recent`, nil},
		{`\Recent,\Seen`, []string{`\Seen`}},
		{` \Seen , $Work,\Seen,,\recent`, []string{`\Seen`, "$Work"}},
	}
	for _, c := range cases {
		if got := ParseFlags(c.in); !slices.Equal(got, c.want) {
			t.Errorf("ParseFlags(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if !HasFlag([]string{`\Seen`}, `\SEEN`) || HasFlag(nil, `\Seen`) || HasFlag([]string{"$a"}, "$b") {
		t.Error("HasFlag")
	}
}

func TestHeaderEndAndHeader(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"A: b\r\n\r\nbody", 8},
		{"A: b\n\nbody", 6},
		{"A: b\r\nno end yet", -1},
		{"", -1},
	}
	for _, c := range cases {
		if got := headerEnd([]byte(c.in)); got != c.want {
			t.Errorf("headerEnd(%q) = %d, want %d", c.in, got, c.want)
		}
	}
	// Header stops decompressing after the blank line: a large body is
	// not read.
	raw := []byte("Subject: big\r\nX-A: 1\r\n\r\n" + strings.Repeat("0123456789abcdef", 1<<16))
	enc, err := Encode(raw)
	if err != nil {
		t.Fatal(err)
	}
	m := &Message{Enc: enc}
	h, err := m.Header()
	if err != nil || string(h) != "Subject: big\r\nX-A: 1\r\n\r\n" {
		t.Fatalf("Header = %q %v", h, err)
	}
	if m.Raw != nil {
		t.Fatal("Header decoded the whole message")
	}
	b, err := m.Bytes()
	if err != nil || !bytes.Equal(b, raw) {
		t.Fatalf("Bytes: %v", err)
	}
	if h, _ := m.Header(); !bytes.Equal(h, raw) {
		t.Fatal("Header of a decoded message is the message")
	}
	for _, bad := range []string{"!!!", "aGVsbG8="} {
		if _, err := (&Message{Enc: bad}).Bytes(); err == nil {
			t.Errorf("Bytes of %q: no error", bad)
		}
		if _, err := (&Message{Enc: bad}).Header(); err == nil {
			t.Errorf("Header of %q: no error", bad)
		}
	}
}

func TestHeaderCacheBounds(t *testing.T) {
	c := newHeaderCache()
	big := bytes.Repeat([]byte("h"), maxHeaderCache/16+1)
	c.put("too-big", big)
	if _, ok := c.get("too-big"); ok {
		t.Fatal("an oversized header was cached")
	}
	chunk := bytes.Repeat([]byte("h"), maxHeaderCache/16)
	for i := range 20 {
		c.put(fmt.Sprint(i), chunk)
	}
	if c.bytes > maxHeaderCache {
		t.Fatalf("cache holds %d bytes, bound %d", c.bytes, maxHeaderCache)
	}
	if _, ok := c.get("0"); ok {
		t.Error("the oldest entry survived eviction")
	}
	if _, ok := c.get("19"); !ok {
		t.Error("the newest entry was evicted")
	}
	c.put("19", []byte("other"))
	if h, _ := c.get("19"); len(h) != len(chunk) {
		t.Error("a cached header was replaced")
	}
}

func TestStaleListingIsNotServed(t *testing.T) {
	now := time.Unix(5000, 0)
	m := newMetaCache()
	m.boxes["b"] = &boxMeta{loaded: now, byRef: map[string]Meta{"x": {RefID: "x", UID: 1}}}
	if _, ok := m.cached("b", now.Add(metaTTL-time.Second)); !ok {
		t.Error("fresh listing not served")
	}
	if _, ok := m.cached("b", now.Add(metaTTL+time.Second)); ok {
		t.Error("stale listing served")
	}
	m.boxes["b"].loading = true
	if _, ok := m.cached("b", now); ok {
		t.Error("a listing being loaded was served")
	}
	s := &Store{cache: m}
	s.Observe(resource.Change{Table: TableBox, Op: resource.OpDelete, RefID: "b"})
	if _, ok := m.boxes["b"]; ok {
		t.Error("a deleted mailbox's listing was kept")
	}
}

func TestKeysAndHosts(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	cases := []struct {
		name string
		pem  string
		ok   bool
	}{
		{"PKCS#1 labelled PRIVATE KEY (Daptin)", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})), true},
		{"PKCS#8", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})), true},
		{"not PEM", "hello", false},
		{"PEM of garbage", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("junk")})), false},
	}
	for _, c := range cases {
		k, err := ParsePrivateKey(c.pem)
		if (err == nil) != c.ok || (c.ok && k == nil) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	for in, want := range map[string]string{"Mail.Example.test": "mail.example.test", "example.test:465": "example.test", " [::1]:993 ": "::1"} {
		if got := hostOnly(in); got != want {
			t.Errorf("hostOnly(%q) = %q, want %q", in, got, want)
		}
	}
}
