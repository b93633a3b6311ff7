package cluster

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// testRateLimitShared: limit.rate set on node 1 applies on every node and
// counts the requests of all of them: 4 requests a second to one path on
// each of three nodes pass a per-node limit of 6 but not a shared one.
func testRateLimitShared(t *testing.T, nodes []*testserver.Server, admin string) {
	req, _ := http.NewRequest(http.MethodPut, nodes[0].URL+"/_config/backend/limit.rate",
		strings.NewReader(`{"version":"1","limits":{"/api/usergroup":6}}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set limit.rate: %v %v", err, resp)
	}
	resp.Body.Close()
	for attempt := range 3 {
		// Start just after a second boundary so the burst fits one window.
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
		win := time.Now().Unix()
		limited, seq := 0, ""
		for range 4 {
			for _, s := range nodes {
				r := s.Do(t, http.MethodGet, "/api/usergroup", nil, admin)
				seq += r.Header.Get("X-Ratelimit-Remaining") + ","
				if r.Status == http.StatusTooManyRequests {
					limited++
				}
			}
		}
		if time.Now().Unix() != win {
			t.Logf("attempt %d straddled a window; again", attempt)
			continue
		}
		if limited != 6 {
			t.Fatalf("12 requests over three nodes with a limit of 6: %d refused, want 6 (remaining: %s)", limited, seq)
		}
		return
	}
	t.Fatal("every burst straddled a one-second window")
}
