package live

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/test/testserver"
)

// TestFanout publishes APIARY_BENCH_RATE (1,000) row events per second for
// APIARY_BENCH_SECONDS (3) to APIARY_BENCH_SUBS (1,000) subscribers of one
// table and reports commit-to-delivery latency (from the row's created_at,
// taken just before the commit); every subscriber must get every event.
// The subscribers run in a child process (TestFanoutClients), so the CPU
// time this process reports is the server's own: the write path and the
// fan-out.
func TestFanout(t *testing.T) {
	gate(t)
	subs, rate, secs := envInt("APIARY_BENCH_SUBS", 1000), envInt("APIARY_BENCH_RATE", 1000), envInt("APIARY_BENCH_SECONDS", 3)
	total := rate * secs
	s := testserver.Start(t, testserver.WithSchema("schema_item.yaml", schema))
	admin := s.Admin(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFanoutClients$", "-test.v")
	cmd.Env = append(os.Environ(), "APIARY_BENCH_CLIENT_ADDR="+strings.TrimPrefix(s.URL, "http://"), "APIARY_BENCH_CLIENT_TOKEN="+admin,
		"APIARY_BENCH_SUBS="+strconv.Itoa(subs), "APIARY_BENCH_EVENTS="+strconv.Itoa(total))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "READY") {
		if strings.HasPrefix(sc.Text(), "FAIL") || strings.Contains(sc.Text(), "fanout_test.go") {
			t.Fatalf("client: %s", sc.Text())
		}
	}
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
	cpu0 := cpuTime(syscall.RUSAGE_SELF)
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
	var result string
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "RESULT ") {
			result = strings.TrimPrefix(l, "RESULT ")
			break
		}
	}
	cpu := cpuTime(syscall.RUSAGE_SELF) - cpu0
	if result == "" {
		t.Fatal("the client process reported no result")
	}
	t.Logf("%d subscribers, %d events in %v (%.0f/s asked %d/s); server process CPU %v (%.0f µs an event); %s",
		subs, total, sent.Round(time.Millisecond), float64(total)/sent.Seconds(), rate, cpu.Round(time.Millisecond),
		float64(cpu.Microseconds())/float64(total), result)
	if strings.Contains(result, "short 0;") {
		return
	}
	t.Errorf("subscribers missed events: %s", result)
}

// cpuTime is the user and system CPU time of who.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestFanoutClients is the child process of TestFanout: APIARY_BENCH_SUBS
// raw WebSocket clients subscribe to item, print READY, read
// APIARY_BENCH_EVENTS events each and print one RESULT line.
func TestFanoutClients(t *testing.T) {
	addr := os.Getenv("APIARY_BENCH_CLIENT_ADDR")
	if addr == "" || os.Getenv("APIARY_BENCH_EVENTS") == "" {
		t.SkipNow() // the child process of TestFanout
	}
	n, total := envInt("APIARY_BENCH_SUBS", 1000), envInt("APIARY_BENCH_EVENTS", 3000)
	clients := make([]*fanClient, n)
	for i := range clients {
		c, err := dialSubscriber(addr, os.Getenv("APIARY_BENCH_CLIENT_TOKEN"), "item")
		if err != nil {
			t.Fatalf("subscriber %d: %v", i, err)
		}
		clients[i] = c
	}
	lat := make([][]time.Duration, n)
	counts := make([]int, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.nc.Close()
			lat[i] = make([]time.Duration, 0, total/sampleEvery+1)
			_ = c.nc.SetReadDeadline(time.Now().Add(10 * time.Minute))
			// Every event is counted; the latency of one in sampleEvery is
			// measured (decoding every frame made this process compete with
			// the server for the CPU), at offsets that differ by subscriber.
			got := 0
			defer func() { counts[i] = got }()
			for got < total {
				frame, err := c.next()
				if err != nil {
					return
				}
				if !bytes.HasPrefix(frame, []byte(`{"type":"event"`)) {
					continue
				}
				if got++; (got+i)%sampleEvery != 0 {
					continue
				}
				if at, ok := createdAt(frame); ok {
					lat[i] = append(lat[i], time.Since(at))
				}
			}
		}()
	}
	cpu0 := cpuTime(syscall.RUSAGE_SELF)
	fmt.Println("READY")
	wg.Wait()
	var all []time.Duration
	short, delivered := 0, 0
	for i, l := range lat {
		if counts[i] < total {
			short++
		}
		delivered += counts[i]
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) == 0 {
		fmt.Printf("RESULT no deliveries; short %d;\n", short)
		return
	}
	pct := func(q float64) time.Duration { return all[int(q*float64(len(all)-1))].Round(time.Microsecond) }
	fmt.Printf("RESULT %d deliveries (latency of %d sampled): p50 %v, p90 %v, p99 %v, max %v; subscribers short of events: short %d; client process CPU %v\n",
		delivered, len(all), pct(0.5), pct(0.9), pct(0.99), all[len(all)-1].Round(time.Microsecond), short,
		(cpuTime(syscall.RUSAGE_SELF) - cpu0).Round(time.Millisecond))
}

// sampleEvery: a subscriber measures the latency of one event in this many.
const sampleEvery = 4

// fanClient is a bare WebSocket client: a TCP connection and its reader.
type fanClient struct {
	nc  net.Conn
	br  *bufio.Reader
	buf []byte
}

// dialSubscriber opens /live with a hand-written handshake, subscribes to
// topic and reads up to the subscribe reply.
func dialSubscriber(addr, token, topic string) (*fanClient, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(nc, "GET /live?token=%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", token, addr)
	c := &fanClient{nc: nc, br: bufio.NewReaderSize(nc, 16<<10)}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		nc.Close()
		return nil, fmt.Errorf("handshake: %v %v", resp, err)
	}
	// A client frame is masked; a zero mask leaves the payload as it is.
	msg := []byte(`{"method":"subscribe","attributes":{"topicName":"` + topic + `"}}`)
	frame := append([]byte{0x81, 0x80 | byte(len(msg)), 0, 0, 0, 0}, msg...)
	if _, err := nc.Write(frame); err != nil {
		nc.Close()
		return nil, err
	}
	for {
		f, err := c.next()
		if err != nil {
			nc.Close()
			return nil, err
		}
		if bytes.Contains(f, []byte(`"method":"subscribe"`)) {
			if !bytes.Contains(f, []byte(`"ok":true`)) {
				nc.Close()
				return nil, fmt.Errorf("subscribe: %s", f)
			}
			return c, nil
		}
	}
}

// next reads one unmasked, unfragmented server frame and returns its
// payload (valid until the next call).
func (c *fanClient) next() ([]byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		return nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(c.br, b[:]); err != nil {
			return nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(c.br, b[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if uint64(cap(c.buf)) < n {
		c.buf = make([]byte, n)
	}
	c.buf = c.buf[:n]
	_, err := io.ReadFull(c.br, c.buf)
	return c.buf, err
}

// createdAt reads the row's created_at from an event frame: the time the
// write was made, just before its commit. It decodes only the base64 data
// field.
func createdAt(frame []byte) (time.Time, bool) {
	i := bytes.Index(frame, []byte(`"data":"`))
	if i < 0 || !bytes.Contains(frame[:i], []byte(`"type":"event"`)) {
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
