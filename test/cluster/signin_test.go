package cluster

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/apiary/apiary/test/testserver"
)

func signin(t *testing.T, s *testserver.Server, email, password string) int {
	return s.Do(t, http.MethodPost, "/action/user_account/signin", map[string]any{"attributes": map[string]any{
		"email": email, "password": password}}, "").Status
}

// testSigninLockoutShared: ten wrong passwords spread over the three
// nodes lock the account on every node (no node saw ten by itself), and
// thirty wrong guesses sent to the three nodes at once check at most ten
// passwords in all.
func testSigninLockoutShared(t *testing.T, nodes []*testserver.Server) {
	nodes[0].SignUp(t, "Mallory Target", "target@example.test", "right-password")
	for i := range 10 {
		if st := signin(t, nodes[i%3], "target@example.test", "wrong"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d on node %d: %d", i+1, i%3+1, st)
		}
	}
	for i, s := range nodes {
		if st := signin(t, s, "target@example.test", "right-password"); st != http.StatusTooManyRequests {
			t.Fatalf("node %d: right password after 10 failures over the cluster: %d, want 429", i+1, st)
		}
	}

	nodes[1].SignUp(t, "Parallel Target", "parallel@example.test", "right-password")
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := signin(t, nodes[i%3], "parallel@example.test", fmt.Sprintf("guess-%d", i))
			mu.Lock()
			got[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if got[http.StatusUnauthorized] != 10 || got[http.StatusTooManyRequests] != 20 {
		t.Fatalf("30 parallel guesses over three nodes: %v, want 10×401 and 20×429", got)
	}
}
