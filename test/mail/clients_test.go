package mail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMbsyncTwoWay syncs alice's mailboxes to a local Maildir with mbsync,
// changes flags on both sides and syncs again.
func TestMbsyncTwoWay(t *testing.T) {
	e := setup(t, serverOpts{})
	tool(t, "mbsync")
	h, p := hostPort(t, e.smtpAddr)
	for _, subj := range []string{"first", "second"} {
		if out, err := python(t, smtplibSend, h, p, "someone@outside.test", "alice@"+Domain, subj, "", ""); err != nil || !strings.Contains(out, "OK") {
			t.Fatalf("smtplib: %v\n%s", err, out)
		}
	}
	dir := t.TempDir()
	cert := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(cert, []byte(e.certPEM(t, "127.0.0.1")), 0o600); err != nil {
		t.Fatal(err)
	}
	ih, ip := hostPort(t, e.imapAddr)
	maildir := filepath.Join(dir, "Mail")
	if err := os.MkdirAll(maildir, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "mbsyncrc")
	rc := fmt.Sprintf(`IMAPAccount apiary
Host %s
Port %s
User alice@%s
Pass %s
SSLType STARTTLS
CertificateFile %s

IMAPStore remote
Account apiary

MaildirStore local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel mail
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
`, ih, ip, Domain, alicePass, cert, maildir, maildir)
	if err := os.WriteFile(conf, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	sync := func() {
		t.Helper()
		if out, err := run(t, "mbsync", "-c", conf, "-a"); err != nil {
			t.Fatalf("mbsync: %v\n%s", err, out)
		}
	}
	sync()
	cur, _ := filepath.Glob(filepath.Join(maildir, "INBOX", "new", "*"))
	cur2, _ := filepath.Glob(filepath.Join(maildir, "INBOX", "cur", "*"))
	files := append(cur, cur2...)
	if len(files) != 2 {
		t.Fatalf("mbsync fetched %d messages, want 2", len(files))
	}
	for _, d := range []string{"Sent", "Trash", "Archive"} {
		if _, err := os.Stat(filepath.Join(maildir, d)); err != nil {
			t.Errorf("mailbox %s not synced: %v", d, err)
		}
	}
	// Flag one locally as seen and flagged (Maildir info ":2,FS"), then
	// sync: the server row gets \Seen and \Flagged.
	target := filepath.Join(maildir, "INBOX", "cur", filepath.Base(files[0])+":2,FS")
	if strings.Contains(files[0], ":2,") {
		target = strings.SplitN(files[0], ":2,", 2)[0] + ":2,FS"
		target = filepath.Join(maildir, "INBOX", "cur", filepath.Base(target))
	}
	if err := os.Rename(files[0], target); err != nil {
		t.Fatal(err)
	}
	sync()
	flagged := 0
	for _, r := range e.mails(t, e.alice) {
		f := attr(r, "flags")
		if strings.Contains(f, `\Flagged`) && strings.Contains(f, `\Seen`) {
			flagged++
		}
	}
	if flagged != 1 {
		t.Fatalf("after a local flag change and sync, %d rows are \\Seen and \\Flagged, want 1", flagged)
	}
	// A message appended locally to Archive is uploaded.
	msg := "From: alice@example.test\r\nSubject: local note\r\n\r\nwritten offline\r\n"
	if err := os.WriteFile(filepath.Join(maildir, "Archive", "new", "1700000000.local.host"), []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	sync()
	found := false
	for _, r := range e.mails(t, e.alice) {
		found = found || attr(r, "subject") == "local note"
	}
	if !found {
		t.Fatal("a message added to the local Archive was not uploaded")
	}
}

// TestCurlIMAPAndSMTP reads a message with curl's imap:// URL and sends
// one with its smtp:// URL.
func TestCurlIMAPAndSMTP(t *testing.T) {
	e := setup(t, serverOpts{})
	tool(t, "curl")
	dir := t.TempDir()
	mail := filepath.Join(dir, "mail.txt")
	if err := os.WriteFile(mail, []byte("From: alice@example.test\r\nTo: bob@example.test\r\nSubject: via curl\r\n\r\ncurl says hi\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "curl", "-sS", "--ssl-reqd", "-k", "--url", "smtp://"+e.smtpAddr, "--mail-from", "alice@"+Domain,
		"--mail-rcpt", "bob@"+Domain, "--user", "alice@"+Domain+":"+alicePass, "--upload-file", mail)
	if err != nil {
		t.Fatalf("curl smtp: %v\n%s", err, out)
	}
	out, err = run(t, "curl", "-sS", "--ssl-reqd", "-k", "--url", "imap://"+e.imapAddr+"/INBOX;UID=1", "--user", "bob@"+Domain+":"+bobPass)
	if err != nil {
		t.Fatalf("curl imap: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Subject: via curl") || !strings.Contains(out, "curl says hi") {
		t.Fatalf("curl imap fetched:\n%s", out)
	}
	// Without TLS curl cannot log in (LOGINDISABLED).
	if out, err := run(t, "curl", "-sS", "--url", "imap://"+e.imapAddr+"/INBOX;UID=1", "--user", "bob@"+Domain+":"+bobPass); err == nil {
		t.Fatalf("curl read mail without TLS:\n%s", out)
	}
}
