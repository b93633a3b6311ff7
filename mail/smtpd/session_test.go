package smtpd_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/apiary/apiary/mail/internal/mailtest"
	"github.com/apiary/apiary/mail/smtpd"
	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// relayed records what the backend hands to its Outbound.
type relayed struct {
	mu   sync.Mutex
	from string
	to   []string
	raw  string
	fail error
}

func (r *relayed) Relay(_ context.Context, acct store.Account, _ string, from string, to []string, raw []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.from, r.to, r.raw = from, to, string(raw)
	return nil
}

// fixedScore scores every message the same.
type fixedScore float64

func (f fixedScore) Score(context.Context, net.IP, string, string, io.Reader) float64 {
	return float64(f)
}

type rig struct {
	st   *store.Store
	out  *relayed
	addr string
}

func newRig(t *testing.T, authRequired bool, score float64) *rig {
	t.Helper()
	res := mailtest.Resource(t)
	srv := mailtest.Server(t, res, "example.test")
	mailtest.Account(t, res, srv, "alice@example.test", "alice-pw")
	mailtest.Account(t, res, srv, "bob@example.test", "bob-pw")
	st := store.New(func() resource.Service { return res }, nil, nil)
	hosts := &smtpd.Hosts{}
	hosts.Set([]string{"example.test"})
	out := &relayed{}
	be := &smtpd.Backend{Store: st, Hosts: hosts, Out: out, Scorer: fixedScore(score), Log: mailtest.Log(t), ServerRef: srv, AuthRequired: authRequired}
	s := smtp.NewServer(be)
	s.Domain = "example.test"
	s.AllowInsecureAuth = true
	s.MaxRecipients = 100
	s.MaxMessageBytes = 1 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return &rig{st: st, out: out, addr: ln.Addr().String()}
}

// send runs one SMTP transaction, optionally authenticated, and returns
// the first error with its SMTP code.
func (r *rig) send(auth sasl.Client, from string, to []string, body string) error {
	c, err := smtp.Dial(r.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		return err
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, rc := range to {
		if err := c.Rcpt(rc, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func code(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

func (r *rig) inbox(t *testing.T, user, box string) []store.Message {
	t.Helper()
	ctx := context.Background()
	acct, _, err := r.st.Account(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.st.Mailbox(ctx, acct, box)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := r.st.Load(ctx, b, 1, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

const body = "From: x@outside.test\r\nSubject: hi\r\n\r\nhello\r\n"

func TestSessions(t *testing.T) {
	r := newRig(t, false, 0)
	cases := []struct {
		name string
		auth sasl.Client
		from string
		to   []string
		body string
		code int
	}{
		{"inbound to a local user", nil, "x@outside.test", []string{"alice@example.test"}, body, 0},
		{"two local users", nil, "x@outside.test", []string{"alice@example.test", "bob@example.test"}, body, 0},
		{"unknown local user at RCPT", nil, "x@outside.test", []string{"ghost@example.test"}, body, 550},
		{"no open relay", nil, "x@outside.test", []string{"friend@foreign.test"}, body, 554},
		{"bad address", nil, "x@outside.test", []string{"no-at-sign"}, body, 501},
		{"NUL bytes", nil, "x@outside.test", []string{"alice@example.test"}, "Subject: x\r\n\r\na\x00b\r\n", 554},
		{"wrong password", sasl.NewPlainClient("", "alice@example.test", "nope"), "alice@example.test", []string{"alice@example.test"}, body, 535},
		{"sender not the account", sasl.NewPlainClient("", "alice@example.test", "alice-pw"), "bob@example.test", []string{"x@foreign.test"}, body, 553},
		{"authenticated relay", sasl.NewPlainClient("", "alice@example.test", "alice-pw"), "alice@example.test", []string{"friend@foreign.test"}, body, 0},
		{"AUTH LOGIN", &loginClient{user: "bob@example.test", pass: "bob-pw"}, "bob@example.test", []string{"alice@example.test"}, body, 0},
	}
	for _, c := range cases {
		if got := code(r.send(c.auth, c.from, c.to, c.body)); got != c.code {
			t.Errorf("%s: code %d, want %d", c.name, got, c.code)
		}
	}
	alice := r.inbox(t, "alice@example.test", "INBOX")
	bob := r.inbox(t, "bob@example.test", "INBOX")
	if len(alice) != 3 || len(bob) != 1 {
		t.Fatalf("alice has %d, bob %d messages; want 3 and 1", len(alice), len(bob))
	}
	raw, err := alice[0].Bytes()
	if err != nil || !strings.HasPrefix(string(raw), "Received: from client.test ([127.0.0.1])\r\n\tby example.test with ESMTP;") ||
		!strings.HasSuffix(string(raw), body) {
		t.Errorf("stored message %q %v", raw, err)
	}
	last, _ := alice[2].Bytes()
	if !strings.Contains(string(last), "with ESMTPA;") {
		t.Errorf("authenticated delivery's trace header: %q", last)
	}
	if r.out.from != "alice@example.test" || len(r.out.to) != 1 || r.out.to[0] != "friend@foreign.test" || r.out.raw != body {
		t.Errorf("relayed %+v", r.out)
	}
	r.out.fail = errors.New("no key")
	if got := code(r.send(sasl.NewPlainClient("", "alice@example.test", "alice-pw"), "alice@example.test", []string{"x@foreign.test"}, body)); got != 554 {
		t.Errorf("failing relay: code %d", got)
	}
}

func TestAuthRequired(t *testing.T) {
	r := newRig(t, true, 0)
	if got := code(r.send(nil, "x@outside.test", []string{"alice@example.test"}, body)); got != smtp.ErrAuthRequired.Code {
		t.Errorf("unauthenticated MAIL: code %d, want %d", got, smtp.ErrAuthRequired.Code)
	}
	if got := code(r.send(sasl.NewPlainClient("", "bob@example.test", "bob-pw"), "bob@example.test", []string{"alice@example.test"}, body)); got != 0 {
		t.Errorf("authenticated send: code %d", got)
	}
}

func TestSpamScores(t *testing.T) {
	cases := []struct {
		score   float64
		box     string
		flagged bool
	}{
		{0, "INBOX", false},
		{smtpd.SpamFlagThreshold + 1, "INBOX", true},
		{smtpd.SpamThreshold + 1, "Spam", true},
	}
	for _, c := range cases {
		r := newRig(t, false, c.score)
		if err := r.send(nil, "x@outside.test", []string{"alice@example.test"}, body); err != nil {
			t.Fatal(err)
		}
		msgs := r.inbox(t, "alice@example.test", c.box)
		if len(msgs) != 1 || store.HasFlag(msgs[0].Flags, "Spam") != c.flagged {
			t.Errorf("score %v: %d messages in %s, flags %v", c.score, len(msgs), c.box, msgs)
		}
	}
}

// loginClient speaks AUTH LOGIN.
type loginClient struct{ user, pass string }

func (l *loginClient) Start() (string, []byte, error) { return "LOGIN", nil, nil }

func (l *loginClient) Next(challenge []byte) ([]byte, error) {
	if strings.HasPrefix(string(challenge), "User") {
		return []byte(l.user), nil
	}
	return []byte(l.pass), nil
}
