package mail

import (
	"strings"
	"testing"
)

// swaks runs swaks against the SMTP listener with extra arguments.
func (e *env) swaks(t *testing.T, args ...string) string {
	t.Helper()
	base := []string{"--server", e.smtpAddr, "--helo", "outside.test", "--timeout", "10", "--hide-informational"}
	out, _ := run(t, "swaks", append(base, args...)...)
	return out
}

func TestSMTPRefusals(t *testing.T) {
	e := setup(t, serverOpts{maxSize: 4096})
	cases := []struct {
		name string
		args []string
		want string // in the transcript
	}{
		{"unknown local user at RCPT", []string{"--from", "x@outside.test", "--to", "nobody@" + Domain}, "550 5.1.1"},
		{"no open relay", []string{"--from", "x@outside.test", "--to", "victim@foreign.test"}, "554 5.7.1 Relay access denied"},
		{"no AUTH before TLS", []string{"--from", "alice@" + Domain, "--to", "bob@" + Domain, "--auth", "PLAIN",
			"--auth-user", "alice@" + Domain, "--auth-password", alicePass}, "Host did not advertise authentication"},
		{"wrong password", []string{"--from", "alice@" + Domain, "--to", "bob@" + Domain, "--tls", "--auth", "LOGIN",
			"--auth-user", "alice@" + Domain, "--auth-password", "wrong"}, "535 5.7.8"},
		{"over max_size", []string{"--from", "x@outside.test", "--to", "alice@" + Domain, "--body", strings.Repeat("0123456789abcdef\n", 400)}, "552 5.3.4"},
		{"authenticated relay refused without an outbox for another's address", []string{"--from", "bob@" + Domain, "--to", "x@foreign.test", "--tls",
			"--auth", "PLAIN", "--auth-user", "alice@" + Domain, "--auth-password", alicePass}, "553 5.7.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if out := e.swaks(t, c.args...); !strings.Contains(out, c.want) {
				t.Fatalf("want %q in:\n%s", c.want, out)
			}
		})
	}
	if rows := e.mails(t, e.admin); len(rows) != 0 {
		t.Fatalf("refused mail was stored: %d rows", len(rows))
	}
	// The listener still serves: a good message after all that.
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		out := e.swaks(t, "--from", "alice@"+Domain, "--to", "bob@"+Domain, "--tls", "--auth", mech,
			"--auth-user", "alice@"+Domain, "--auth-password", alicePass, "--header", "Subject: hi bob "+mech)
		if !strings.Contains(out, "250 2.0.0 OK: queued") {
			t.Fatalf("authenticated local delivery (%s) failed:\n%s", mech, out)
		}
	}
	rows := e.mails(t, e.bob)
	if len(rows) != 2 || attr(rows[0], "is_tls") != "1" {
		t.Fatalf("bob's mail: %v", rows)
	}
}

func TestSMTPImplicitTLSAndAuthRequired(t *testing.T) {
	e := setup(t, serverOpts{implicitTLS: true, authRequired: true})
	out := e.swaks(t, "--from", "x@outside.test", "--to", "alice@"+Domain, "--tlsc")
	if !strings.Contains(out, "502 5.7.0") {
		t.Fatalf("unauthenticated MAIL accepted on an auth-required server:\n%s", out)
	}
	out = e.swaks(t, "--from", "bob@"+Domain, "--to", "alice@"+Domain, "--tlsc", "--auth", "PLAIN",
		"--auth-user", "bob@"+Domain, "--auth-password", bobPass)
	if !strings.Contains(out, "250 2.0.0 OK: queued") {
		t.Fatalf("SMTPS delivery failed:\n%s", out)
	}
	if rows := e.mails(t, e.alice); len(rows) != 1 {
		t.Fatalf("alice's mail: %d rows", len(rows))
	}
}
