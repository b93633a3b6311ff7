package mail

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// closedWithin reads from c until the server closes it; it fails unless
// that happens within limit.
func closedWithin(t *testing.T, what string, c net.Conn, r *bufio.Reader, limit time.Duration) {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(limit + 5*time.Second))
	for {
		if _, err := r.ReadString('\n'); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("%s: still open after %v", what, time.Since(start).Round(time.Millisecond))
			}
			if took := time.Since(start); took > limit {
				t.Fatalf("%s: closed after %v, want within %v", what, took.Round(time.Millisecond), limit)
			}
			return
		}
	}
}

// loginRaw is a raw connection after STARTTLS and LOGIN as alice.
func loginRaw(t *testing.T, e *env) *imapRaw {
	t.Helper()
	x := dialIMAPRaw(t, e.imapAddr)
	if got := x.cmd("s1", "STARTTLS"); !strings.HasPrefix(got, "s1 OK") {
		t.Fatalf("STARTTLS: %s", got)
	}
	tc := tls.Client(x.c, tlsInsecure)
	x.c, x.r = tc, bufio.NewReader(tc)
	if got := x.cmd("s2", "LOGIN alice@"+Domain+" "+alicePass); !strings.HasPrefix(got, "s2 OK") {
		t.Fatalf("LOGIN: %s", got)
	}
	return x
}

// TestIMAPSlowClientsAreCut: with imap.read_timeout at 1 s, a client that
// sends nothing, one that stops in the middle of a command and one that
// stalls in an APPEND literal are disconnected within about a second,
// while a logged-in client may stay silent between commands and in IDLE
// (whose limit is imap.idle_timeout) and other clients are served.
func TestIMAPSlowClientsAreCut(t *testing.T) {
	e := setup(t, serverOpts{config: map[string]string{"imap.read_timeout": "1s", "imap.idle_timeout": "1m"}})
	const limit = 3 * time.Second // 1 s plus scheduling slack on a busy machine

	silent := dialIMAPRaw(t, e.imapAddr)
	partial := dialIMAPRaw(t, e.imapAddr)
	if _, err := io.WriteString(partial.c, "a1 CAPAB"); err != nil {
		t.Fatal(err)
	}
	stalled := loginRaw(t, e)
	if _, err := io.WriteString(stalled.c, "a3 APPEND INBOX {100}\r\n"); err != nil {
		t.Fatal(err)
	}
	if l := stalled.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("APPEND continuation: %s", l)
	}
	if _, err := io.WriteString(stalled.c, "Subject: slow\r\n"); err != nil {
		t.Fatal(err)
	}

	// Meanwhile another client logs in and goes idle.
	events := make(chan uint32, 4)
	c, err := imapclient.DialStartTLS(e.imapAddr, &imapclient.Options{TLSConfig: tlsInsecure,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				events <- *d.NumMessages
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice@"+Domain, alicePass).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}

	closedWithin(t, "silent client", silent.c, silent.r, limit)
	closedWithin(t, "partial command", partial.c, partial.r, limit)
	closedWithin(t, "stalled APPEND literal", stalled.c, stalled.r, limit)

	// A logged-in client silent for longer than read_timeout is kept.
	quiet := loginRaw(t, e)
	time.Sleep(2 * time.Second)
	if got := quiet.cmd("q1", "NOOP"); !strings.HasPrefix(got, "q1 OK") {
		t.Fatalf("NOOP after 2 s of silence: %s", got)
	}

	// The IDLE client, silent for more than 3 s now, still gets new mail.
	if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, []byte("Subject: wake up\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-events:
		if n != 1 {
			t.Fatalf("EXISTS %d, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("IDLE client got no EXISTS")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatalf("IDLE after %v: %v", limit, err)
	}
	if rows := e.mails(t, e.alice); len(rows) != 1 {
		t.Fatalf("%d rows, want 1 (the stalled APPEND stores nothing)", len(rows))
	}
}

// TestIMAPMaxConnections: over imap.max_connections a client is greeted
// with BYE; a slot freed by a logout is given to the next client.
func TestIMAPMaxConnections(t *testing.T) {
	e := setup(t, serverOpts{config: map[string]string{"imap.max_connections": "2"}})
	greet := func() (net.Conn, string) {
		c, err := net.Dial("tcp", e.imapAddr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		l, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatalf("greeting: %v", err)
		}
		return c, l
	}
	c1, g1 := greet()
	_, g2 := greet()
	_, g3 := greet()
	if !strings.HasPrefix(g1, "* OK") || !strings.HasPrefix(g2, "* OK") {
		t.Fatalf("greetings within the limit: %q %q", g1, g2)
	}
	if !strings.HasPrefix(g3, "* BYE") {
		t.Fatalf("greeting over the limit: %q", g3)
	}
	if _, err := fmt.Fprintf(c1, "z LOGOUT\r\n"); err != nil {
		t.Fatal(err)
	}
	c1.Close()
	waitFor(t, "a freed slot", func() bool {
		c, g := greet()
		c.Close()
		return strings.HasPrefix(g, "* OK")
	})
}

// TestSMTPSlowClientsAreCut: with smtp.read_timeout at 1 s, a client that
// sends nothing after the greeting and one that stalls inside DATA are
// disconnected (421 for the silent one) and the listener keeps serving.
func TestSMTPSlowClientsAreCut(t *testing.T) {
	e := setup(t, serverOpts{config: map[string]string{"smtp.read_timeout": "1s"}})
	const limit = 3 * time.Second
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", e.smtpAddr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		r := bufio.NewReader(c)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if l, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(l, "220") {
			t.Fatalf("greeting: %q %v", l, err)
		}
		return c, r
	}
	silent, sr := dial()
	stalled, tr := dial()
	for _, cmd := range []string{"HELO slow.test", "MAIL FROM:<x@outside.test>", "RCPT TO:<alice@" + Domain + ">", "DATA"} {
		if _, err := fmt.Fprintf(stalled, "%s\r\n", cmd); err != nil {
			t.Fatal(err)
		}
		if l, err := tr.ReadString('\n'); err != nil || (l[0] != '2' && l[0] != '3') {
			t.Fatalf("%s: %q %v", cmd, l, err)
		}
	}
	if _, err := io.WriteString(stalled, "Subject: slow\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = silent.SetReadDeadline(start.Add(limit + 5*time.Second))
	l, err := sr.ReadString('\n')
	if err != nil || !strings.HasPrefix(l, "421") || time.Since(start) > limit {
		t.Fatalf("silent client after %v: %q %v; want 421 within %v", time.Since(start).Round(time.Millisecond), l, err, limit)
	}
	closedWithin(t, "silent client", silent, sr, time.Second)
	closedWithin(t, "stalled DATA", stalled, tr, limit)
	if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, []byte("Subject: quick\r\n\r\nok\r\n")); err != nil {
		t.Fatalf("a prompt client after the slow ones: %v", err)
	}
	if rows := e.mails(t, e.alice); len(rows) != 1 || attr(rows[0], "subject") != "quick" {
		t.Fatalf("stored rows: %v (the stalled DATA must store nothing)", rows)
	}
}
