package mail

import (
	"strings"
	"testing"
)

// smtplibSend sends one message with Python's smtplib, optionally after
// STARTTLS and AUTH; it prints "OK" or the refusal.
const smtplibSend = `
import smtplib, ssl, sys
host, port, sender, rcpt, subject, user, password = sys.argv[1:8]
msg = "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@outside.test>\r\n\r\nHello from smtplib.\r\n" % (sender, rcpt, subject, subject.replace(" ", "-"))
s = smtplib.SMTP(host, int(port), timeout=10)
try:
    s.ehlo("outside.test")
    if user:
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        s.starttls(context=ctx); s.ehlo("outside.test"); s.login(user, password)
    s.sendmail(sender, [rcpt], msg)
    print("OK")
except smtplib.SMTPException as e:
    print("REFUSED", e)
finally:
    try: s.quit()
    except Exception: pass
`

// imaplibRead logs in over STARTTLS and prints the subject and flags of
// every INBOX message.
const imaplibRead = `
import imaplib, ssl, sys, email
host, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4(host, int(port))
m.starttls(ssl_context=ctx)
m.login(user, password)
typ, data = m.select("INBOX")
n = int(data[0])
print("EXISTS", n)
if n:
    typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[])")
    for part in data:
        if isinstance(part, tuple):
            msg = email.message_from_bytes(part[1])
            print("MSG", msg["Subject"], "|", part[0].decode())
m.logout()
`

func TestReceiveOverSMTPAndReadOverIMAPAndAPI(t *testing.T) {
	e := setup(t, serverOpts{})
	h, p := hostPort(t, e.smtpAddr)
	out, err := python(t, smtplibSend, h, p, "someone@outside.test", "alice@"+Domain, "Hello Alice", "", "")
	if err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	ih, ip := hostPort(t, e.imapAddr)
	out, err = python(t, imaplibRead, ih, ip, "alice@"+Domain, alicePass)
	if err != nil {
		t.Fatalf("imaplib: %v\n%s", err, out)
	}
	if !strings.Contains(out, "EXISTS 1") || !strings.Contains(out, "MSG Hello Alice") {
		t.Fatalf("imaplib did not see the message:\n%s", out)
	}
	rows := e.mails(t, e.alice)
	if len(rows) != 1 || attr(rows[0], "subject") != "Hello Alice" || attr(rows[0], "uid") != "1" {
		t.Fatalf("alice's mail rows over JSON:API: %v", rows)
	}
	if got := attr(rows[0], "from_address"); got != "someone@outside.test" {
		t.Errorf("from_address = %q", got)
	}
	if rows := e.mails(t, e.bob); len(rows) != 0 {
		t.Fatalf("bob sees alice's mail: %v", rows)
	}
	// bob's INBOX over IMAP is empty.
	out, err = python(t, imaplibRead, ih, ip, "bob@"+Domain, bobPass)
	if err != nil || !strings.Contains(out, "EXISTS 0") {
		t.Fatalf("bob's INBOX: %v\n%s", err, out)
	}
}

// TestMailboxStatusAction: the mail_box status action reports the
// caller's mailboxes with their counts.
func TestMailboxStatusAction(t *testing.T) {
	e := setup(t, serverOpts{})
	for _, s := range []string{"one", "two"} {
		if err := plainSend(e.smtpAddr, "x@outside.test", "alice@"+Domain, []byte("Subject: "+s+"\r\n\r\nbody\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	r := e.srv.Do(t, "POST", "/action/mail_box/status", map[string]any{"attributes": map[string]any{"page_size": 50}}, e.alice)
	if r.Status != 200 {
		t.Fatalf("status: %d %s", r.Status, r.Body)
	}
	body := string(r.Body)
	for _, want := range []string{`"ResponseType":"mail_box.status"`, `"name":"INBOX","messages":2,"recent":2,"unseen":2,"uidnext":3`, `"total":1`} {
		if !strings.Contains(body, want) {
			t.Errorf("want %s in %s", want, body)
		}
	}
	// bob sees none of alice's mailboxes.
	r = e.srv.Do(t, "POST", "/action/mail_box/status", map[string]any{"attributes": map[string]any{}}, e.bob)
	if r.Status != 200 || strings.Contains(string(r.Body), `"messages":2`) {
		t.Fatalf("bob's status: %d %s", r.Status, r.Body)
	}
}
