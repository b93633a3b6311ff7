package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const testEncSecret = "01a207798af87153b64731baf3e7bcc0" // observed encryption.secret shape

func TestEncryptRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pt := range []string{"", "x", "sixteen bytes!!!", "-----BEGIN PRIVATE KEY-----\nüñïçødé\n", strings.Repeat("a", 1000)} {
		ct, err := Encrypt(testEncSecret, pt)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.URLEncoding.DecodeString(ct)
		if err != nil {
			t.Fatalf("not padded base64 URL: %q", ct)
		}
		if len(raw) != 16+len(pt) {
			t.Errorf("ciphertext is %d bytes for %d of plaintext", len(raw), len(pt))
		}
		got, err := Decrypt(testEncSecret, ct)
		if err != nil || got != pt {
			t.Errorf("Decrypt = %q, %v; want %q", got, err, pt)
		}
		unpadded := strings.TrimRight(ct, "=")
		if got, err := Decrypt(testEncSecret, unpadded); err != nil || got != pt {
			t.Errorf("Decrypt(unpadded) = %q, %v", got, err)
		}
	}
}

func TestEncryptRandomIV(t *testing.T) {
	t.Parallel()
	a, _ := Encrypt(testEncSecret, "same")
	b, _ := Encrypt(testEncSecret, "same")
	if a == b {
		t.Error("two encryptions of the same text are equal")
	}
}

func TestDecryptTamperAndErrors(t *testing.T) {
	t.Parallel()
	ct, err := Encrypt(testEncSecret, "secret credentials")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.URLEncoding.DecodeString(ct)
	raw[len(raw)-1] ^= 0x01
	got, err := Decrypt(testEncSecret, base64.URLEncoding.EncodeToString(raw))
	if err != nil || got == "secret credentials" {
		t.Errorf("tampered ciphertext: %q, %v (CFB flips bits, it does not fail)", got, err)
	}
	other := strings.Repeat("f", 32)
	if got, err := Decrypt(other, ct); err == nil && got == "secret credentials" {
		t.Error("wrong key decrypted the text")
	}

	scenarios := []struct {
		name, secret, ct string
		want             error
	}{
		{"short key", "0123456789abcdef", ct, ErrEncryptionKey},
		{"uuid with dashes", "01a20779-8af7-7dfa-a866-0668c2c15390", ct, ErrEncryptionKey},
		{"empty key", "", ct, ErrEncryptionKey},
		{"not base64", testEncSecret, "***", ErrCiphertext},
		{"shorter than IV", testEncSecret, base64.URLEncoding.EncodeToString(make([]byte, 15)), ErrCiphertext},
		{"standard base64 alphabet", testEncSecret, "ab+/" + ct[4:], ErrCiphertext},
	}
	for _, s := range scenarios {
		if _, err := Decrypt(s.secret, s.ct); !errors.Is(err, s.want) {
			t.Errorf("%s: Decrypt err = %v, want %v", s.name, err, s.want)
		}
	}
	if _, err := Encrypt("short", "x"); !errors.Is(err, ErrEncryptionKey) {
		t.Errorf("Encrypt with short key: %v", err)
	}
	if got, err := Decrypt(testEncSecret, base64.URLEncoding.EncodeToString(make([]byte, 16))); err != nil || got != "" {
		t.Errorf("IV only: %q, %v", got, err)
	}
}
