package hardening

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// slowBody opens a connection that announces a large sign-in body and
// sends only its first bytes.
func slowBody(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"attributes\":")
	return c
}

// Clients that send a body slowly hold no request slot: with more of them
// than limit.max_connections, /ping still answers at once and /api/health
// stays healthy.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	addr := strings.TrimPrefix(s.URL, "http://")
	for i := 0; i < 110; i++ {
		slowBody(t, addr)
	}
	time.Sleep(200 * time.Millisecond) // let the server accept them all
	c := &http.Client{Timeout: 3 * time.Second}
	for _, path := range []string{"/ping", "/api/health", "/api/world?page[size]=1"} {
		resp, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatalf("GET %s with 110 slow bodies open: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}
}

// The read timeout is a deadline for the whole request: a client that
// keeps trickling bytes is cut off when it passes, and an idle kept-alive
// connection is closed after the idle timeout.
func TestReadDeadlineCutsTricklingBody(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithConfig(func(c *server.Config) {
		c.HTTP.Timeouts = server.Timeouts{Header: 500 * time.Millisecond, Read: time.Second, Idle: time.Second}
	}))
	addr := strings.TrimPrefix(s.URL, "http://")
	start := time.Now() // before the dial: the server's deadline starts later
	c := slowBody(t, addr)
	stop := time.After(5 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for cut := false; !cut; {
		select {
		case <-stop:
			t.Fatal("a body trickling one byte every 100 ms was still accepted after 5 s")
		case <-tick.C:
			if _, err := c.Write([]byte(" ")); err != nil {
				cut = true
			}
			_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
			if _, err := c.Read(make([]byte, 512)); err != nil && !isTimeout(err) {
				cut = true
			}
		}
	}
	if d := time.Since(start); d < 800*time.Millisecond {
		t.Errorf("cut after %v, before the 1 s read deadline", d)
	}

	// Headers sent slowly: closed after the header timeout.
	h, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	fmt.Fprint(h, "GET /ping HTTP/1.1\r\n")
	if err := waitClosed(h, 3*time.Second); err != nil {
		t.Errorf("slow headers: %v", err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// waitClosed reads from c until the server closes it or d passes.
func waitClosed(c net.Conn, d time.Duration) error {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	if err != nil && isTimeout(err) {
		return fmt.Errorf("still open after %v", d)
	}
	return nil
}

// /api/health answers 503 "degraded" while every request slot is taken
// and 200 again once one frees. A body larger than -max_body_bytes is
// handed to its route as read so far, so a route that accepts more
// (here /_config, up to 1 MiB) holds its slot while the rest trickles in.
func TestHealthReportsSaturation(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.WithConfig(func(c *server.Config) { c.HTTP.MaxBodyBytes = 1024 }))
	admin := s.Admin(t)
	if r := s.Do(t, http.MethodPut, "/_config/backend/limit.max_connections", "1", admin); r.Status != http.StatusOK {
		t.Fatalf("set limit.max_connections: %d %s", r.Status, r.Body)
	}
	health := func() int {
		resp, err := http.Get(s.URL + "/api/health")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := health(); code != http.StatusOK {
		t.Fatalf("idle server: health %d", code)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "PUT /_config/backend/hardening.probe HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 5000\r\n\r\n%s", admin, strings.Repeat("x", 1100))
	deadline := time.Now().Add(5 * time.Second)
	for health() != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("health still 200 with the only slot taken")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.Close()
	for health() != http.StatusOK {
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatal("health not back to 200 after the slot freed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
