package daybed

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDeriveCredentials(t *testing.T) {
	t.Parallel()
	// Same token, same credentials; different token, different ones.
	a, err := deriveCredentials(strings.Repeat("ab", 32))
	if err != nil || len(a.ID) != 64 || len(a.Key) != 64 || a.Algorithm != "sha256" || a.ID == a.Key {
		t.Fatalf("credentials %+v, %v", a, err)
	}
	b, _ := deriveCredentials(strings.Repeat("ab", 32))
	c, _ := deriveCredentials(strings.Repeat("cd", 32))
	if a != b || a.ID == c.ID {
		t.Errorf("derivation is not a function of the token: %+v %+v %+v", a, b, c)
	}
	if _, err := deriveCredentials("not hex"); err == nil {
		t.Error("a token that is not hex was accepted")
	}
}

func TestParseHawk(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, header string
		ok           bool
		want         hawkHeader
	}{
		{"full", `Hawk id="i", ts="1", nonce="n", mac="m", hash="h", ext="e"`, true, hawkHeader{ID: "i", TS: "1", Nonce: "n", MAC: "m", Hash: "h", Ext: "e"}},
		{"no spaces", `Hawk id="i",ts="1",nonce="n",mac="m"`, true, hawkHeader{ID: "i", TS: "1", Nonce: "n", MAC: "m"}},
		{"bearer", `Bearer x`, false, hawkHeader{}},
		{"missing mac", `Hawk id="i", ts="1", nonce="n"`, false, hawkHeader{}},
		{"unterminated", `Hawk id="i`, false, hawkHeader{}},
		{"unknown attribute", `Hawk id="i", ts="1", nonce="n", mac="m", evil="x"`, false, hawkHeader{}},
		{"unquoted", `Hawk id=i`, false, hawkHeader{}},
	}
	for _, c := range cases {
		got, err := parseHawk(c.header)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("%s: %+v, %v", c.name, got, err)
		}
	}
}

func TestVerifyHawk(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	key := "secret"
	r := httptest.NewRequest("GET", "http://example.test:8000/v1/models?x=1", nil)
	hh := hawkHeader{ID: "id", TS: "1700000000", Nonce: "n1"}
	hh.MAC = hawkMAC(key, hh, "GET", "/v1/models?x=1", "example.test", "8000")
	var nonces nonceCache
	if err := verifyHawk(hh, key, r, nil, now, &nonces); err != nil {
		t.Fatalf("good request refused: %v", err)
	}
	if err := verifyHawk(hh, key, r, nil, now, &nonces); err == nil {
		t.Error("replay accepted")
	}
	bad := hh
	bad.Nonce = "n2"
	if err := verifyHawk(bad, key, r, nil, now, &nonces); err == nil {
		t.Error("a MAC over another nonce accepted")
	}
	old := hawkHeader{ID: "id", TS: "1699999000", Nonce: "n3"}
	old.MAC = hawkMAC(key, old, "GET", "/v1/models?x=1", "example.test", "8000")
	if err := verifyHawk(old, key, r, nil, now, &nonces); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Errorf("old timestamp: %v", err)
	}
	withHash := hawkHeader{ID: "id", TS: "1700000000", Nonce: "n4", Hash: payloadHash("application/json", []byte(`{"a":1}`))}
	withHash.MAC = hawkMAC(key, withHash, "GET", "/v1/models?x=1", "example.test", "8000")
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	if err := verifyHawk(withHash, key, r, []byte(`{"a":2}`), now, &nonces); err == nil {
		t.Error("a changed body accepted")
	}
	if err := verifyHawk(withHash, key, r, []byte(`{"a":1}`), now, &nonces); err != nil {
		t.Errorf("payload hash: %v", err)
	}
}
