package auth

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestHashAndCheckPassword(t *testing.T) {
	t.Parallel()
	h, err := HashPasswordCost("alicepass123", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$2a$04$") {
		t.Errorf("hash %q", h)
	}
	if !CheckPassword(h, "alicepass123") || CheckPassword(h, "alicepass124") || CheckPassword(h, "") {
		t.Error("CheckPassword wrong")
	}
	if CheckPassword("", "") || CheckPassword("not a hash", "x") {
		t.Error("CheckPassword accepted a malformed hash")
	}
	h2, _ := HashPasswordCost("alicepass123", bcrypt.MinCost)
	if h2 == h {
		t.Error("hashes are not salted")
	}
	if _, err := HashPasswordCost(strings.Repeat("x", 73), bcrypt.MinCost); err == nil {
		t.Error("a password over 72 bytes was accepted")
	}
}

func TestHashPasswordCost(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("cost-11 bcrypt is slow")
	}
	if BcryptCost != 11 {
		t.Fatalf("BcryptCost = %d, contract says 11", BcryptCost)
	}
	h, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := bcrypt.Cost([]byte(h)); err != nil || c != BcryptCost {
		t.Errorf("cost = %d, %v", c, err)
	}
	if c, err := bcrypt.Cost([]byte(dummyHash)); err != nil || c != BcryptCost {
		t.Errorf("dummy hash cost = %d, %v", c, err)
	}
}

func TestCheckPasswordOrDummy(t *testing.T) {
	t.Parallel()
	h, err := HashPasswordCost("right", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	scenarios := []struct {
		name  string
		hash  string
		found bool
		pw    string
		want  bool
	}{
		{"right", h, true, "right", true},
		{"wrong", h, true, "wrong", false},
		{"not found", "", false, "right", false},
		{"not found ignores hash", h, false, "right", false},
		{"malformed hash", "plain", true, "plain", false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			// Parallel: each dummy comparison costs a full cost-11 bcrypt.
			t.Parallel()
			start := time.Now()
			if got := CheckPasswordOrDummy(s.hash, s.found, s.pw); got != s.want {
				t.Errorf("got %v", got)
			}
			// A cost-11 comparison takes tens of milliseconds; a missing user
			// must not answer in microseconds (observed Daptin: 2 ms vs 117 ms).
			if d := time.Since(start); !s.found && d < 5*time.Millisecond {
				t.Errorf("dummy check took only %v", d)
			}
		})
	}
}

func TestMD5Hex(t *testing.T) {
	t.Parallel()
	if got := MD5Hex(""); got != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Errorf("MD5Hex(\"\") = %s", got)
	}
	if got := MD5Hex("The quick brown fox jumps over the lazy dog"); got != "9e107d9d372bb6826bd81d3542a419d6" {
		t.Errorf("MD5Hex(fox) = %s", got)
	}
}
