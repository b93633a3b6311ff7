package mail

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSMTPBadInput: NUL bytes are refused with nothing stored, malformed
// MIME and 8-bit headers are stored whole, a pipelined flood of RCPTs gets
// 452 past 100 recipients, and the listener keeps serving.
func TestSMTPBadInput(t *testing.T) {
	e := setup(t, serverOpts{})
	if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, []byte("Subject: nul\r\n\r\nbad\x00byte\r\n")); err == nil ||
		!strings.Contains(err.Error(), "554") {
		t.Fatalf("NUL bytes: %v", err)
	}
	odd := "From: x@outside.test\r\nSubject: caf\xe9 \xff\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n"
	if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, []byte(odd)); err != nil {
		t.Fatalf("8-bit, malformed MIME: %v", err)
	}
	rows := e.mails(t, e.alice)
	if len(rows) != 1 {
		t.Fatalf("%d rows stored, want 1 (the NUL message refused)", len(rows))
	}
	// Pipelined: one MAIL, 150 RCPTs, RSET, QUIT in one write.
	c, err := net.Dial("tcp", e.smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var b strings.Builder
	b.WriteString("EHLO flood.test\r\nMAIL FROM:<x@outside.test>\r\n")
	for i := 0; i < 150; i++ {
		b.WriteString("RCPT TO:<alice@" + Domain + ">\r\n")
	}
	b.WriteString("RSET\r\nQUIT\r\n")
	if _, err := c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	sc := bufio.NewScanner(c)
	accepted, refused := 0, 0
	for sc.Scan() {
		switch l := sc.Text(); {
		case strings.HasPrefix(l, "250 2.0.0 I'll make sure"):
			accepted++
		case strings.HasPrefix(l, "452 4.5.3"):
			refused++
		}
	}
	if accepted != 100 || refused != 50 {
		t.Fatalf("RCPT flood: %d accepted, %d refused; want 100 and 50", accepted, refused)
	}
	if err := plainSend(e.smtpAddr, "x@outside.test", "bob@"+Domain, []byte("Subject: still here\r\n\r\nok\r\n")); err != nil {
		t.Fatalf("listener after bad input: %v", err)
	}
}

// imapRaw is a line-level IMAP client for what real clients never send.
type imapRaw struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialIMAPRaw(t *testing.T, addr string) *imapRaw {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	x := &imapRaw{t: t, c: c, r: bufio.NewReader(c)}
	x.line() // greeting
	return x
}

func (x *imapRaw) line() string {
	x.t.Helper()
	_ = x.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := x.r.ReadString('\n')
	if err != nil {
		x.t.Fatalf("read: %v", err)
	}
	return strings.TrimRight(l, "\r\n")
}

// cmd sends one line and returns the tagged answer.
func (x *imapRaw) cmd(tag, line string) string {
	x.t.Helper()
	if _, err := fmt.Fprintf(x.c, "%s %s\r\n", tag, line); err != nil {
		x.t.Fatal(err)
	}
	for {
		if l := x.line(); strings.HasPrefix(l, tag+" ") {
			return l
		}
	}
}

func TestIMAPBadInput(t *testing.T) {
	e := setup(t, serverOpts{})
	x := dialIMAPRaw(t, e.imapAddr)
	if got := x.cmd("a1", "LOGIN alice@"+Domain+" "+alicePass); !strings.HasPrefix(got, "a1 NO") && !strings.HasPrefix(got, "a1 BAD") {
		t.Fatalf("LOGIN before STARTTLS: %s", got)
	}
	if got := x.cmd("a2", "STARTTLS"); !strings.HasPrefix(got, "a2 OK") {
		t.Fatalf("STARTTLS: %s", got)
	}
	tc := tls.Client(x.c, tlsInsecure)
	x.c, x.r = tc, bufio.NewReader(tc)
	if got := x.cmd("a3", "LOGIN alice@"+Domain+" "+alicePass); !strings.HasPrefix(got, "a3 OK") {
		t.Fatalf("LOGIN: %s", got)
	}
	if got := x.cmd("a4", "APPEND INBOX {60000000}"); !strings.HasPrefix(got, "a4 NO") {
		t.Fatalf("APPEND of a literal over the limit: %s", got)
	}
	if got := x.cmd("a5", "SELECT INBOX"); !strings.HasPrefix(got, "a5 OK") {
		t.Fatalf("SELECT after the refused literal: %s", got)
	}
	if got := x.cmd("a6", "FETCH 1:* (FLAGS)"); !strings.HasPrefix(got, "a6 BAD") {
		t.Fatalf("FETCH 1:* on an empty mailbox: %s", got)
	}
	if got := x.cmd("a7", "UID FETCH 1:* (FLAGS)"); !strings.HasPrefix(got, "a7 OK") {
		t.Fatalf("UID FETCH 1:* on an empty mailbox: %s", got)
	}
	if got := x.cmd("a8", "APPEND INBOX {9+}\r\nbad\x00byte"); !strings.HasPrefix(got, "a8 NO") {
		t.Fatalf("APPEND with a NUL byte: %s", got)
	}
	if got := x.cmd("a9", "STATUS INBOX (MESSAGES)"); !strings.HasPrefix(got, "a9 OK") {
		t.Fatalf("STATUS: %s", got)
	}
	if rows := e.mails(t, e.alice); len(rows) != 0 {
		t.Fatalf("bad APPENDs stored %d rows", len(rows))
	}
}
