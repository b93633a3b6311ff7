package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiary/apiary/storage/cluster"
	"github.com/apiary/apiary/test/testserver"
)

// benchSeconds is APIARY_BENCH_SECONDS (3 by default): the length of one
// throughput run.
func benchSeconds() time.Duration {
	if n, err := strconv.Atoi(os.Getenv("APIARY_BENCH_SECONDS")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 3 * time.Second
}

// throughput runs clients goroutines for d, each sending req(i) to
// urls[i % len(urls)] in turn, and returns answers per second; any answer
// other than want fails the test.
func throughput(t *testing.T, urls []string, token string, clients int, d time.Duration, want int, req func(i int) (string, string, []byte)) float64 {
	t.Helper()
	var n, bad atomic.Int64
	var first atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; time.Now().Before(deadline); i += clients {
				method, path, body := req(i)
				r, _ := http.NewRequest(method, urls[i%len(urls)]+path, bytes.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Content-Type", "application/vnd.api+json")
				resp, err := client.Do(r)
				if err != nil {
					first.CompareAndSwap(nil, err.Error())
					bad.Add(1)
					continue
				}
				_, _ = bytes.NewBuffer(nil).ReadFrom(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					first.CompareAndSwap(nil, fmt.Sprintf("%s %s: %d", method, path, resp.StatusCode))
					bad.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d requests failed, first: %v", bad.Load(), first.Load())
	}
	return float64(n.Load()) / d.Seconds()
}

// measure runs list, get and write throughput against urls.
func measure(t *testing.T, name string, nodes []*testserver.Server) (map[string]float64, string) {
	admin := nodes[0].Admin(t)
	openTable(t, nodes[0], admin, "item")
	// The load comes from one address: lift the per-address limit of the
	// list path (the default applies per path, each get has its own).
	if r := nodes[0].Do(t, http.MethodPut, "/_config/backend/limit.rate", `{"version":"1","limits":{"/api/item":1000000}}`, admin); r.Status != http.StatusOK {
		t.Fatalf("limit.rate: %d %s", r.Status, r.Body)
	}
	var ids []string
	for i := range 200 {
		ids = append(ids, create(t, nodes[i%len(nodes)], admin, fmt.Sprintf("seed-%d", i)))
	}
	urls := make([]string, len(nodes))
	for i, s := range nodes {
		urls[i] = s.URL
	}
	d := benchSeconds()
	out := map[string]float64{
		"list": throughput(t, urls, admin, 12, d, http.StatusOK, func(i int) (string, string, []byte) {
			return http.MethodGet, fmt.Sprintf("/api/item?page[size]=20&page[number]=%d", i%10+1), nil
		}),
		"get": throughput(t, urls, admin, 12, d, http.StatusOK, func(i int) (string, string, []byte) {
			return http.MethodGet, "/api/item/" + ids[i%len(ids)], nil
		}),
		"write": throughput(t, urls, admin, 12, d, http.StatusCreated, func(i int) (string, string, []byte) {
			b, _ := json.Marshal(map[string]any{"data": map[string]any{"type": "item", "attributes": map[string]any{"name": fmt.Sprintf("w-%d", i)}}})
			return http.MethodPost, "/api/item", b
		}),
	}
	t.Logf("%s: list %.0f/s, get %.0f/s, write %.0f/s (12 clients, %v each)", name, out["list"], out["get"], out["write"], d)
	return out, admin
}

func percentile(ds []time.Duration, p float64) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))].Round(10 * time.Microsecond)
}

// TestClusterBenchmark (APIARY_BENCH_CLUSTER=1, test/bench/cluster.sh):
// list, get and write throughput of one node and of three nodes on
// PostgreSQL, cross-node /live event latency and the invalidation
// round trip between three Olric members. Figures in docs/benchmarks.md.
func TestClusterBenchmark(t *testing.T) {
	if os.Getenv("APIARY_BENCH_CLUSTER") != "1" {
		t.Skip("set APIARY_BENCH_CLUSTER=1 (test/bench/cluster.sh)")
	}
	needSharedDB(t)
	one, _ := measure(t, "one node", []*testserver.Server{testserver.Start(t, testserver.WithSchema("schema_item.yaml", itemSchema))})
	nodes := startNodes(t, 3)
	three, admin := measure(t, "three nodes", nodes)
	for _, k := range []string{"list", "get", "write"} {
		t.Logf("%s: three nodes / one node = %.2f×", k, three[k]/one[k])
	}

	// Cross-node event latency: a write on node 1 at a steady pace, its
	// /live event timed on node 2 from the moment the POST was sent.
	sub := dialLive(t, nodes[1], admin)
	sub.subscribe("item")
	var lat []time.Duration
	for i := range 200 {
		t0 := time.Now()
		create(t, nodes[0], admin, fmt.Sprintf("ev-%d", i))
		if f := sub.next(); f.Type != "event" {
			t.Fatalf("want an event, got %s", f.Raw)
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("POST on node 1 → /live event on node 2 (write included), 200 writes: p50 %v, p99 %v, max %v",
		percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 1))

	// Invalidation round trip: what a write waits for, every other member
	// having applied its invalidation.
	var ms []*cluster.Olric
	var ports []int
	for range 3 {
		p := freePort(t)
		var peers []string
		for _, q := range ports {
			peers = append(peers, fmt.Sprintf("127.0.0.1:%d", q+1))
		}
		m, err := cluster.Start(cluster.Options{Port: p, Peers: peers, Secret: secret})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = m.Close(context.Background()) })
		<-m.Ready()
		ms, ports = append(ms, m), append(ports, p)
	}
	for len(ms[0].Members(context.Background())) != 3 {
		time.Sleep(50 * time.Millisecond)
	}
	for _, m := range ms[1:] {
		defer cluster.NewAcked(m, "bench.inv", func([]byte) {}).Close()
	}
	sender := cluster.NewAcked(ms[0], "bench.inv", func([]byte) {})
	defer sender.Close()
	time.Sleep(300 * time.Millisecond)
	var inv []time.Duration
	for range 1000 {
		t0 := time.Now()
		if n, err := sender.Send(context.Background(), []byte(`["item"]`), time.Second); n != 2 || err != nil {
			t.Fatalf("acks %d %v", n, err)
		}
		inv = append(inv, time.Since(t0))
	}
	t.Logf("invalidation sent and applied by both other members, 1000 sends: p50 %v, p99 %v, max %v",
		percentile(inv, 0.5), percentile(inv, 0.99), percentile(inv, 1))
}
