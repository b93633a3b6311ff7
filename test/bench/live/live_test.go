// Package live measures /live at scale: idle connections per node and the
// fan-out of row events to many subscribers. The tests run only with
// APIARY_BENCH_LIVE=1 (test/bench/live.sh); they report figures and are
// not timed pass/fail tests, except that an event lost below the outbound
// buffer limit fails.
package live

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

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
