package bootstrap

import (
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/resource"
)

func TestSameValue(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	scenarios := []struct {
		name string
		a, b any
		want bool
	}{
		{"nil nil", nil, nil, true},
		{"nil zero", nil, int64(0), false},
		{"bytes equal", []byte("ab"), []byte("ab"), true},
		{"bytes differ", []byte("ab"), []byte("ac"), false},
		{"bytes vs string", []byte("ab"), "ab", false},
		{"same instant, other zone", at, at.In(time.FixedZone("x", 7200)), true},
		{"other instant", at, at.Add(time.Second), false},
		{"time vs text", at, at.Format(time.RFC3339), false},
		{"ints", int64(3), int64(3), true},
		{"int vs float", int64(3), 3.0, false},
		{"strings", "a", "a", true},
		{"bools", true, false, false},
		{"maps are never the same", map[string]any{}, map[string]any{}, false},
	}
	for _, s := range scenarios {
		if got := sameValue(s.a, s.b); got != s.want {
			t.Errorf("%s: sameValue = %v, want %v", s.name, got, s.want)
		}
	}
}

func TestScanDefaultPermission(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		js   string
		want int64
		ok   bool
	}{
		{`{"TableName":"a","DefaultPermission":573313,"Permission":1}`, 573313, true},
		{`{"DefaultPermission":0}`, 0, true},
		{`{"DefaultPermission":-1}`, -1, true},
		{`{"Permission":1}`, 0, false},
		{`{"DefaultPermission":"x"}`, 0, false},
		{`{"DefaultPermission":12`, 0, false},
	}
	for _, s := range scenarios {
		got, ok := scanDefaultPermission(s.js)
		if got != s.want || ok != s.ok {
			t.Errorf("scanDefaultPermission(%s) = %d, %v; want %d, %v", s.js, got, ok, s.want, s.ok)
		}
	}
}

func TestWithValueCopies(t *testing.T) {
	t.Parallel()
	in := map[string]any{"a": 1}
	out := withValue(in, "b", 2)
	if len(in) != 1 || out["a"] != 1 || out["b"] != 2 {
		t.Fatalf("withValue changed its input or lost a value: %v %v", in, out)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	a, b := defaults("/data/"), defaults("/data")
	for _, k := range []string{resource.KeyHostname, resource.KeyGzip, resource.KeyJWTSecret, resource.KeyEncryption, resource.KeyJWTIssuer,
		resource.KeyRateLimit, resource.KeyCORS, resource.KeySignupEnabled, "yjs.storage.path", "ftp.enable", "imap.enabled"} {
		if a[k] == "" {
			t.Errorf("no default for %s", k)
		}
	}
	if a["yjs.storage.path"] != "/data/yjs-documents" || b["yjs.storage.path"] != "/data/yjs-documents" {
		t.Errorf("yjs path = %q / %q", a["yjs.storage.path"], b["yjs.storage.path"])
	}
	if enc := a[resource.KeyEncryption]; len(enc) != 32 || strings.Contains(enc, "-") {
		t.Errorf("encryption secret %q is not 32 hex characters", enc)
	}
	if a[resource.KeyJWTSecret] == b[resource.KeyJWTSecret] || a[resource.KeyEncryption] == b[resource.KeyEncryption] {
		t.Error("two instances got the same secrets")
	}
	if !strings.HasPrefix(a[resource.KeyJWTIssuer], "apiary-") {
		t.Errorf("issuer %q", a[resource.KeyJWTIssuer])
	}
}
