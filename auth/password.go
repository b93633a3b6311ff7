package auth

import (
	"crypto/md5"
	"encoding/hex"

	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the bcrypt cost of password and bcrypt columns (contract §7.3).
const BcryptCost = 11

// dummyHash is a bcrypt hash at BcryptCost of a password nobody uses. Comparing
// against it costs as much as checking a real password.
const dummyHash = "$2a$11$1HRV9F.cwJqYW9yCVUN.nuF.jZa.w5uH/vQnHrFDk4yWoQVUoTyHK"

// HashPassword returns the bcrypt hash of pw at BcryptCost. It fails for
// passwords longer than 72 bytes, which bcrypt would silently truncate.
func HashPassword(pw string) (string, error) { return HashPasswordCost(pw, BcryptCost) }

// HashPasswordCost is HashPassword with an explicit cost, for tests and
// migrations; production code uses HashPassword.
func HashPasswordCost(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword reports whether pw matches the bcrypt hash.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// CheckPasswordOrDummy is CheckPassword for sign-in: when the user was not
// found (found is false) or the stored hash is not a bcrypt hash, it still
// runs a full bcrypt comparison against a fixed dummy hash and returns
// false, so an unknown email and a wrong password take the same time.
func CheckPasswordOrDummy(hash string, found bool, pw string) bool {
	if found {
		if _, err := bcrypt.Cost([]byte(hash)); err == nil {
			return CheckPassword(hash, pw)
		}
	}
	EqualizeTiming(pw)
	return false
}

// EqualizeTiming spends the time of one password check and discards the
// result; call it on paths that reject a login without checking a hash.
func EqualizeTiming(pw string) {
	_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(pw))
}

// MD5Hex returns the lower-case hex MD5 of s, as md5 columns store it and
// Gravatar addresses use it. MD5 is not a password hash.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
