package mail

import (
	"fmt"
	"strings"
	"testing"
)

// imaplibFlow drives one IMAP session through the commands of a mail
// client's day and prints one line per step.
const imaplibFlow = `
import imaplib, ssl, sys
imaplib.Commands['MOVE'] = ('SELECTED',)
host, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4(host, int(port))
try:
    m.login(user, password); print("PLAIN-LOGIN ok")
except imaplib.IMAP4.error as e:
    print("PLAIN-LOGIN refused")
m.starttls(ssl_context=ctx)
m.login(user, password)
print("LIST", sorted(l.decode().split(' "/" ')[1].strip('"') for l in m.list()[1]))
print("CREATE", m.create("Projects")[0], m.create("Projects")[0])
print("RENAME", m.rename("Projects", "Work")[0])
print("SUBSCRIBE", m.subscribe("Work")[0], m.unsubscribe("Work")[0])
print("LSUB-HAS-WORK", any(b"Work" in l for l in m.lsub()[1]))
print("EMPTY-SELECT", m.select("Work")[0])
try:
    m.fetch("1:*", "(FLAGS)"); print("EMPTY-FETCH OK")
except imaplib.IMAP4.error as e:
    print("EMPTY-FETCH", e)
print("EMPTY-UID-FETCH", m.uid("FETCH", "1:*", "(FLAGS)")[0])
print("DELETE", m.delete("Work")[0], m.delete("INBOX")[0])
raw = b"From: me@example.test\r\nTo: alice@example.test\r\nSubject: appended\r\nMessage-ID: <app@example.test>\r\n\r\nline one\r\nline two\r\n"
typ, data = m.append("INBOX", "(\\Draft)", None, raw)
print("APPEND", typ, data[0].decode())
typ, data = m.select("INBOX")
print("SELECT", data[0].decode())
typ, data = m.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE BODY.PEEK[])")
bodies = [p[1] for p in data if isinstance(p, tuple)]
print("EXACT", raw in bodies, [len(b) for b in bodies])
print("SEARCH-DRAFT", m.uid("SEARCH", None, "DRAFT")[1][0].decode())
print("SEARCH-SUBJECT", m.uid("SEARCH", None, "SUBJECT", "Hello")[1][0].decode())
print("SEARCH-UNSEEN", m.search(None, "UNSEEN")[1][0].decode())
print("STORE", m.uid("STORE", "1", "+FLAGS", "(\\Flagged $Work)")[0])
print("FETCH-SEEN", m.uid("FETCH", "1", "(BODY[HEADER.FIELDS (SUBJECT)])")[0], m.uid("FETCH", "1", "(FLAGS)")[1][0].decode())
print("ENVELOPE", m.uid("FETCH", "1", "(ENVELOPE BODYSTRUCTURE INTERNALDATE)")[1][0].decode()[:60])
print("COPY", m.uid("COPY", "1", "Archive")[0])
print("MOVE", m.uid("MOVE", "2", "Trash")[0])
print("STORE-DELETED", m.store("1", "+FLAGS", "(\\Deleted)")[0])
print("EXPUNGE", m.expunge()[1])
print("STATUS", m.status("Archive", "(MESSAGES UIDNEXT UNSEEN)")[1][0].decode())
m.logout()
`

func TestIMAPClientDay(t *testing.T) {
	e := setup(t, serverOpts{})
	h, p := hostPort(t, e.smtpAddr)
	if out, err := python(t, smtplibSend, h, p, "someone@outside.test", "alice@"+Domain, "Hello Alice", "", ""); err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	ih, ip := hostPort(t, e.imapAddr)
	out, err := python(t, imaplibFlow, ih, ip, "alice@"+Domain, alicePass)
	if err != nil {
		t.Fatalf("imaplib: %v\n%s", err, out)
	}
	for _, want := range []string{
		"PLAIN-LOGIN refused",
		"LIST ['Archive', 'Drafts', 'INBOX', 'Sent', 'Spam', 'Trash']",
		"CREATE OK NO", "RENAME OK", "SUBSCRIBE OK OK", "LSUB-HAS-WORK False",
		"EMPTY-SELECT OK", "EMPTY-FETCH FETCH command error: BAD", "EMPTY-UID-FETCH OK", "DELETE OK NO",
		"SELECT 2", "EXACT True", "SEARCH-DRAFT 2", "SEARCH-SUBJECT 1", "SEARCH-UNSEEN 1 2",
		"STORE OK", "FETCH-SEEN OK", `\Seen`, "$Work", "ENVELOPE 1 (UID 1", "ENVELOPE",
		"COPY OK", "MOVE OK", "STORE-DELETED OK", "EXPUNGE [b'2', b'1']",
		`STATUS "Archive" (MESSAGES 1 UIDNEXT 2 UNSEEN 0)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in the session:\n%s", want, out)
		}
	}
	if t.Failed() {
		return
	}
	// JSON:API sees what IMAP did: the INBOX is empty (1 expunged, 2
	// moved), Archive has the flagged copy, Trash the appended draft.
	rows := e.mails(t, e.alice)
	if len(rows) != 2 {
		t.Fatalf("alice has %d mail rows, want 2: %v", len(rows), rows)
	}
	flags := map[string]string{}
	for _, r := range rows {
		flags[attr(r, "subject")] = attr(r, "flags")
	}
	if f := flags["Hello Alice"]; !strings.Contains(f, `\Flagged`) || !strings.Contains(f, "$Work") || !strings.Contains(f, `\Seen`) {
		t.Errorf("copied message flags = %q", f)
	}
	if f := flags["appended"]; !strings.Contains(f, `\Draft`) {
		t.Errorf("appended message flags = %q", f)
	}
	// UIDs are never reused: the next delivery to INBOX gets UID 3.
	if out, err := python(t, smtplibSend, h, p, "someone@outside.test", "alice@"+Domain, "Third", "", ""); err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	for _, r := range e.mails(t, e.alice) {
		if attr(r, "subject") == "Third" && attr(r, "uid") != "3" {
			t.Errorf("uid after expunge = %s, want 3", attr(r, "uid"))
		}
	}
}

// imaplibLogin tries one login and prints OK or the refusal.
const imaplibLogin = `
import imaplib, ssl, sys
host, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4(host, int(port)); m.starttls(ssl_context=ctx)
try:
    m.login(user, password); print("OK")
except imaplib.IMAP4.error as e:
    print("NO", e)
`

func TestIMAPLoginGuard(t *testing.T) {
	e := setup(t, serverOpts{})
	ih, ip := hostPort(t, e.imapAddr)
	for i := 0; i < 5; i++ {
		if out, _ := python(t, imaplibLogin, ih, ip, "alice@"+Domain, "wrong"); !strings.Contains(out, "NO") {
			t.Fatalf("wrong password %d accepted: %s", i, out)
		}
	}
	out, _ := python(t, imaplibLogin, ih, ip, "alice@"+Domain, alicePass)
	if !strings.Contains(out, "too many failed login attempts") {
		t.Fatalf("the guard did not hold after 5 failures: %s", out)
	}
	if out, _ := python(t, imaplibLogin, ih, ip, "bob@"+Domain, bobPass); !strings.Contains(out, "OK") {
		t.Fatalf("another account is locked too: %s", out)
	}
	_ = fmt.Sprint()
}
