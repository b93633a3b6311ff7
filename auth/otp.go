package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// TOTP parameters of contract §7.4: RFC 6238 with HMAC-SHA1.
const (
	TOTPDigits = 6
	TOTPPeriod = 120 * time.Second
	// TOTPIssuer is the issuer shown by authenticator apps.
	TOTPIssuer = "site.daptin.com"
)

// totpSecretLen is the size in bytes of a new secret (160 bits, RFC 4226's
// recommendation for SHA1).
const totpSecretLen = 20

// ErrTOTPSecret is returned for a secret that is not valid base32.
var ErrTOTPSecret = errors.New("auth: invalid TOTP secret")

// b32 is unpadded standard base32, the usual form of TOTP secrets.
func b32() *base32.Encoding { return base32.StdEncoding.WithPadding(base32.NoPadding) }

// NewTOTPSecret returns a random 160-bit secret as unpadded upper-case base32.
func NewTOTPSecret() (string, error) {
	key := make([]byte, totpSecretLen)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return b32().EncodeToString(key), nil
}

// TOTPCode returns the 6-digit code of secret for the 120-second step that
// contains t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	return totp(key, t, TOTPPeriod, TOTPDigits)
}

// VerifyTOTP reports whether code is the code of secret for the step that
// contains t. No neighbouring steps are accepted (skew 0); replay protection
// is the caller's job.
func VerifyTOTP(secret, code string, t time.Time) bool {
	want, err := TOTPCode(secret, t)
	if err != nil || len(code) != len(want) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1
}

// decodeTOTPSecret accepts base32 in either case, with or without padding
// and with spaces, as users copy it from authenticator apps.
func decodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.TrimRight(strings.ReplaceAll(secret, " ", ""), "="))
	key, err := b32().DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, ErrTOTPSecret
	}
	return key, nil
}

// totp is RFC 6238 with HMAC-SHA1: the HOTP value (RFC 4226) of the number of
// whole periods between the Unix epoch and t, truncated to digits digits.
func totp(key []byte, t time.Time, period time.Duration, digits int) (string, error) {
	secs := t.Unix()
	step := int64(period / time.Second)
	if secs < 0 || step <= 0 || digits < 1 || digits > 9 {
		return "", errors.New("auth: TOTP time or parameters out of range")
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(secs/step))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	code := make([]byte, digits)
	v := bin % mod
	for i := digits - 1; i >= 0; i-- {
		code[i] = byte('0' + v%10)
		v /= 10
	}
	return string(code), nil
}
