package hardening

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

// parallelSignins sends n wrong sign-ins at once (email(i) picks the
// account of the i-th) and counts the answers by status.
func parallelSignins(t *testing.T, s *testserver.Server, n int, email func(i int) string) map[int]int {
	t.Helper()
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.Do(t, http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
				"email": email(i), "password": "wrong-" + strconv.Itoa(i)}}, "")
			mu.Lock()
			codes[r.Status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return codes
}

// Parallel wrong passwords: at most 10 are checked per account and at most
// 50 per address in the window; every other attempt is refused with 429
// before its password is compared.
func TestParallelWrongPasswordsAreBounded(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	s.SignUp(t, "Victim", "victim@example.test", "right-password")

	codes := parallelSignins(t, s, 30, func(int) string { return "victim@example.test" })
	if codes[http.StatusUnauthorized] != 10 || codes[http.StatusTooManyRequests] != 20 {
		t.Fatalf("30 parallel wrong passwords for one account: %v, want 10×401 and 20×429", codes)
	}
	// Locked: even the right password is refused until the window ends.
	r := s.Do(t, http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
		"email": "victim@example.test", "password": "right-password"}}, "")
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("right password on a locked account: %d %s", r.Status, r.Body)
	}

	// The address has used 10 of its 50; a burst of 60 on five other
	// accounts (which could take 50 between them) gets exactly 40 checked.
	// Real accounts keep it fast: unknown e-mails cost a full-cost bcrypt.
	for i := 0; i < 5; i++ {
		s.SignUp(t, "Other", "other"+strconv.Itoa(i)+"@example.test", "other-password")
	}
	codes = parallelSignins(t, s, 60, func(i int) string { return "other" + strconv.Itoa(i%5) + "@example.test" })
	if codes[http.StatusUnauthorized] != 40 || codes[http.StatusTooManyRequests] != 20 {
		t.Fatalf("60 parallel wrong sign-ins from one address after 10 failures: %v, want 40×401 and 20×429", codes)
	}
}

// A correct sign-in does not use up the address's attempts.
func TestSuccessfulSigninsDoNotLockOut(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	s.SignUp(t, "Ann", "ann@example.test", "ann-password")
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ { // more than the address's 50 attempts
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.SignIn(t, "ann@example.test", "ann-password")
		}()
	}
	wg.Wait()
}
