package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
)

// EncryptionKeyLen is the length in bytes of config encryption.secret: a
// UUIDv7 without dashes, 32 hex characters, used as an AES-256 key.
const EncryptionKeyLen = 32

const ivLen = aes.BlockSize

// Column encryption errors.
var (
	ErrEncryptionKey = errors.New("auth: encryption secret must be 32 bytes")
	ErrCiphertext    = errors.New("auth: malformed ciphertext")
)

// Encrypt encrypts plaintext for an encrypted column (contract §2.8): AES-CFB
// keyed with the bytes of secret, a random 16-byte IV in front, base64 URL
// encoded. CFB has no integrity check; this format is kept for compatibility
// with data written by Daptin.
func Encrypt(secret, plaintext string) (string, error) {
	block, err := newBlock(secret)
	if err != nil {
		return "", err
	}
	out := make([]byte, ivLen+len(plaintext))
	if _, err := rand.Read(out[:ivLen]); err != nil {
		return "", err
	}
	//lint:ignore SA1019 AES-CFB is the stored format of Daptin's encrypted columns.
	cipher.NewCFBEncrypter(block, out[:ivLen]).XORKeyStream(out[ivLen:], []byte(plaintext))
	return base64.URLEncoding.EncodeToString(out), nil
}

// Decrypt reverses Encrypt. Padded and unpadded base64 URL input are both
// accepted. Because CFB is unauthenticated, a tampered ciphertext decrypts to
// different text rather than failing.
func Decrypt(secret, ciphertext string) (string, error) {
	block, err := newBlock(secret)
	if err != nil {
		return "", err
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(ciphertext, "="))
	if err != nil || len(raw) < ivLen {
		return "", ErrCiphertext
	}
	out := make([]byte, len(raw)-ivLen)
	//lint:ignore SA1019 AES-CFB is the stored format of Daptin's encrypted columns.
	cipher.NewCFBDecrypter(block, raw[:ivLen]).XORKeyStream(out, raw[ivLen:])
	return string(out), nil
}

func newBlock(secret string) (cipher.Block, error) {
	if len(secret) != EncryptionKeyLen {
		return nil, ErrEncryptionKey
	}
	return aes.NewCipher([]byte(secret))
}
