package auth

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

func TestTOTPRFC6238Vectors(t *testing.T) {
	t.Parallel()
	// RFC 6238 appendix B, SHA1 rows: 8 digits, 30-second steps.
	key := []byte("12345678901234567890")
	vectors := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, v := range vectors {
		got, err := totp(key, time.Unix(v.unix, 0), 30*time.Second, 8)
		if err != nil || got != v.want {
			t.Errorf("T=%d: %q, %v; want %s", v.unix, got, err, v.want)
		}
	}
	// RFC 4226 appendix D, HOTP counter 1: 287082 (6 digits of the T=59 row).
	if got, _ := totp(key, time.Unix(59, 0), 30*time.Second, 6); got != "287082" {
		t.Errorf("6-digit truncation = %s", got)
	}
}

func TestTOTPCodeAndVerify(t *testing.T) {
	t.Parallel()
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	// With a 120 s period, T=1111111111 is step 9259259, which starts at 1111111080.
	at := time.Unix(1111111111, 0)
	code, err := TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := totp([]byte("12345678901234567890"), time.Unix(9259259*120, 0), time.Second*120, 6)
	if code != want || len(code) != 6 {
		t.Errorf("TOTPCode = %q, want %q", code, want)
	}
	stepStart := time.Unix(9259259*120, 0)
	stepEnd := stepStart.Add(119 * time.Second)
	scenarios := []struct {
		name   string
		secret string
		code   string
		at     time.Time
		want   bool
	}{
		{"same time", secret, code, at, true},
		{"start of step", secret, code, stepStart, true},
		{"end of step", secret, code, stepEnd, true},
		{"previous step (skew 0)", secret, code, stepStart.Add(-time.Second), false},
		{"next step (skew 0)", secret, code, stepEnd.Add(time.Second), false},
		{"lower-case unpadded secret", strings.ToLower(strings.TrimRight(secret, "=")), code, at, true},
		{"secret with spaces", secret[:4] + " " + secret[4:], code, at, true},
		{"wrong code", secret, "000000", at, code == "000000"},
		{"short code", secret, code[:5], at, false},
		{"long code", secret, code + "0", at, false},
		{"empty code", secret, "", at, false},
		{"bad secret", "!!!!", code, at, false},
		{"empty secret", "", code, at, false},
	}
	for _, s := range scenarios {
		if got := VerifyTOTP(s.secret, s.code, s.at); got != s.want {
			t.Errorf("%s: VerifyTOTP = %v", s.name, got)
		}
	}
	if _, err := TOTPCode("1", at); err == nil {
		t.Error("TOTPCode accepted an invalid secret")
	}
	if _, err := TOTPCode(secret, time.Unix(-1, 0)); err == nil {
		t.Error("TOTPCode accepted a time before 1970")
	}
}

func TestNewTOTPSecret(t *testing.T) {
	t.Parallel()
	a, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTOTPSecret()
	if a == b || len(a) != 32 || strings.ContainsAny(a, "=abcdefghijklmnopqrstuvwxyz") {
		t.Errorf("secrets %q %q", a, b)
	}
	now := time.Now()
	code, err := TOTPCode(a, now)
	if err != nil || !VerifyTOTP(a, code, now) {
		t.Errorf("fresh secret does not verify: %q %v", code, err)
	}
}
