// Package live measures /live at scale: idle connections per node and the
// fan-out of row events to many subscribers. The tests run only with
// APIARY_BENCH_LIVE=1 (test/bench/live.sh); they report figures and are
// not timed pass/fail tests, except that an event lost below the outbound
// buffer limit fails.
package live

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

const schema = `
Tables:
  - TableName: item
    Columns:
      - {Name: title, ColumnType: label}
`

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func gate(t *testing.T) {
	if os.Getenv("APIARY_BENCH_LIVE") != "1" {
		t.Skip("set APIARY_BENCH_LIVE=1 (test/bench/live.sh)")
	}
}

// rss reads this process's resident set size in KiB.
func rss(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

func settle() {
	runtime.GC()
	debug.FreeOSMemory()
	time.Sleep(200 * time.Millisecond)
}

// rawDial opens /live with a bare TCP connection and a hand-written
// handshake, reads up to the session frame and keeps nothing else, so
// the client side adds next to nothing to the process's memory.
func rawDial(addr, token string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c, "GET /live?token=%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", token, addr)
	br := bufio.NewReaderSize(c, 512)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, fmt.Errorf("handshake: %v %v", resp, err)
	}
	hdr := make([]byte, 2)
	if _, err := br.Read(hdr); err != nil { // the session frame's header
		c.Close()
		return nil, err
	}
	return c, nil
}

// TestIdleConnections opens APIARY_BENCH_CONNS (10,000) idle /live
// sessions from a child process (two ends of 10,000 sockets would pass the
// open-file limit, and the server's RSS is measured alone) and reports
// the growth of the server process's RSS per connection.
func TestIdleConnections(t *testing.T) {
	gate(t)
	n := envInt("APIARY_BENCH_CONNS", 10000)
	s := testserver.Start(t, testserver.WithSchema("schema_item.yaml", schema))
	admin := s.Admin(t)
	settle()
	before := rss(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClients$", "-test.v")
	cmd.Env = append(os.Environ(), "APIARY_BENCH_CLIENT_ADDR="+strings.TrimPrefix(s.URL, "http://"), "APIARY_BENCH_CLIENT_TOKEN="+admin,
		"APIARY_BENCH_CONNS="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "READY") {
		if strings.HasPrefix(sc.Text(), "FAIL") || strings.Contains(sc.Text(), "live_test.go") {
			t.Fatalf("client: %s", sc.Text())
		}
	}
	open := time.Since(t0)
	settle()
	after := rss(t)
	growth := after - before
	t.Logf("%d idle /live connections opened in %v: server RSS %d -> %d KiB, growth %.1f MiB, %.1f KiB per connection",
		n, open.Round(time.Millisecond), before, after, float64(growth)/1024, float64(growth)/float64(n))
}

// TestIdleClients is the child process of TestIdleConnections.
func TestIdleClients(t *testing.T) {
	addr := os.Getenv("APIARY_BENCH_CLIENT_ADDR")
	if addr == "" {
		t.Skip("child process of TestIdleConnections")
	}
	n := envInt("APIARY_BENCH_CONNS", 10000)
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := rawDial(addr, os.Getenv("APIARY_BENCH_CLIENT_TOKEN"))
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	fmt.Println("READY")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

// createdAt reads the row's created_at from an event frame: the time the
// write was made, just before its commit.
// It decodes only the base64 data field (a JSON decode of every frame made
// the clients, in the same process, the heaviest part of the run).
func createdAt(frame []byte) (time.Time, bool) {
	i := bytes.Index(frame, []byte(`"data":"`))
	if i < 0 {
		return time.Time{}, false
	}
	enc := frame[i+len(`"data":"`):]
	if j := bytes.IndexByte(enc, '"'); j >= 0 {
		enc = enc[:j]
	}
	data := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Decode(data, enc)
	if err != nil {
		return time.Time{}, false
	}
	data = data[:n]
	i = bytes.Index(data, []byte(`"created_at":"`))
	if i < 0 {
		return time.Time{}, false
	}
	rest := data[i+len(`"created_at":"`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
	return at, err == nil
}

// TestFanout publishes APIARY_BENCH_RATE (1,000) row events per second for
// APIARY_BENCH_SECONDS (3) to APIARY_BENCH_SUBS (1,000) subscribers of one
// table and reports write-to-delivery latency (from the row's created_at,
// taken just before the commit); every subscriber must get every event.
func TestFanout(t *testing.T) {
	gate(t)
	subs, rate, secs := envInt("APIARY_BENCH_SUBS", 1000), envInt("APIARY_BENCH_RATE", 1000), envInt("APIARY_BENCH_SECONDS", 3)
	total := rate * secs
	s := testserver.Start(t, testserver.WithSchema("schema_item.yaml", schema))
	admin := s.Admin(t)
	ws := "ws" + strings.TrimPrefix(s.URL, "http") + "/live?token=" + admin
	lat := make([][]time.Duration, subs)
	var wg, ready sync.WaitGroup
	for i := 0; i < subs; i++ {
		c, _, err := websocket.DefaultDialer.Dial(ws, nil)
		if err != nil {
			t.Fatalf("subscriber %d: %v", i, err)
		}
		defer c.Close()
		_, _, _ = c.ReadMessage() // session
		if err := c.WriteJSON(map[string]any{"method": "subscribe", "attributes": map[string]any{"topicName": "item"}}); err != nil {
			t.Fatal(err)
		}
		_, _, _ = c.ReadMessage() // subscribe reply
		wg.Add(1)
		ready.Add(1)
		go func(i int, c *websocket.Conn) {
			defer wg.Done()
			ready.Done()
			lat[i] = make([]time.Duration, 0, total)
			_ = c.SetReadDeadline(time.Now().Add(time.Duration(secs)*time.Second + 5*time.Minute))
			for k := 0; k < total; k++ {
				_, msg, err := c.ReadMessage()
				if err != nil {
					return
				}
				if at, ok := createdAt(msg); ok {
					lat[i] = append(lat[i], time.Since(at))
				}
			}
		}(i, c)
	}
	ready.Wait()
	res := s.Srv.Resource()
	p, err := res.PrincipalByEmail(context.Background(), "admin@example.test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), p)
	// Writers run concurrently (group commit shares their commits), each
	// paced to its share of the rate.
	const writers = 16
	var wwg sync.WaitGroup
	var failed atomic.Int64
	t0 := time.Now()
	for w := 0; w < writers; w++ {
		wwg.Add(1)
		go func(w int) {
			defer wwg.Done()
			for k := w; k < total; k += writers {
				if d := time.Until(t0.Add(time.Duration(k) * time.Second / time.Duration(rate))); d > 0 {
					time.Sleep(d)
				}
				if _, err := res.Create(ctx, "item", resource.Input{Attributes: map[string]any{"title": "event " + strconv.Itoa(k)}}); err != nil {
					failed.Add(1)
				}
			}
		}(w)
	}
	wwg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d writes failed", failed.Load())
	}
	sent := time.Since(t0)
	wg.Wait()
	var all []time.Duration
	short := 0
	for _, l := range lat {
		if len(l) < total {
			short++
		}
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(q float64) time.Duration { return all[int(q*float64(len(all)-1))] }
	t.Logf("%d subscribers, %d events in %v (%.0f/s): %d deliveries, p50 %v, p99 %v, max %v; subscribers short of events: %d",
		subs, total, sent.Round(time.Millisecond), float64(total)/sent.Seconds(), len(all), pct(0.5).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), all[len(all)-1].Round(time.Microsecond), short)
	if short > 0 {
		t.Errorf("%d subscribers missed events", short)
	}
}
