package mail

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// idleEvent is one unilateral response an IDLE client received.
type idleEvent struct {
	kind string // exists, expunge, flags
	n    uint32
	fl   []imap.Flag
}

func TestIDLEPushesChangesFromEverySurface(t *testing.T) {
	e := setup(t, serverOpts{})
	events := make(chan idleEvent, 16)
	c, err := imapclient.DialStartTLS(e.imapAddr, &imapclient.Options{TLSConfig: tlsInsecure,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					events <- idleEvent{kind: "exists", n: *d.NumMessages}
				}
			},
			Expunge: func(seq uint32) { events <- idleEvent{kind: "expunge", n: seq} },
			Fetch: func(m *imapclient.FetchMessageData) {
				buf, _ := m.Collect()
				if buf != nil {
					events <- idleEvent{kind: "flags", n: buf.SeqNum, fl: buf.Flags}
				}
			},
		}})
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
	expect := func(what string, kind string, n uint32, check func(idleEvent) bool) {
		t.Helper()
		deadline := time.After(time.Second)
		for {
			select {
			case ev := <-events:
				if ev.kind == kind && ev.n == n && (check == nil || check(ev)) {
					return
				}
			case <-deadline:
				t.Fatalf("%s: no %s %d within 1 s", what, kind, n)
			}
		}
	}
	// New mail over SMTP.
	h, p := hostPort(t, e.smtpAddr)
	if out, err := python(t, smtplibSend, h, p, "someone@outside.test", "alice@"+Domain, "Pushed", "", ""); err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	expect("SMTP delivery", "exists", 1, nil)
	// A flag set over JSON:API (by the administrator: users may read
	// their mail rows, changing the mail table is an admin's right unless
	// the table permission is opened).
	rows := e.mails(t, e.alice)
	ref := rows[0]["id"].(string)
	r := e.srv.Do(t, http.MethodPatch, "/api/mail/"+ref, map[string]any{"data": map[string]any{"type": "mail", "id": ref,
		"attributes": map[string]any{"flags": `\Flagged`}}}, e.admin)
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH mail: %d %s", r.Status, r.Body)
	}
	expect("JSON:API flag", "flags", 1, func(ev idleEvent) bool { return len(ev.fl) == 1 && ev.fl[0] == imap.FlagFlagged })
	// A flag set by another IMAP session.
	ih, ip := hostPort(t, e.imapAddr)
	const store = `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4(sys.argv[1], int(sys.argv[2])); m.starttls(ssl_context=ctx); m.login(sys.argv[3], sys.argv[4])
m.select("INBOX"); print(m.store("1", "+FLAGS", "(\\Answered)")[0])
`
	if out, err := python(t, store, ih, ip, "alice@"+Domain, alicePass); err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("imaplib STORE: %v\n%s", err, out)
	}
	expect("other session's STORE", "flags", 1, func(ev idleEvent) bool { return len(ev.fl) == 2 })
	// A delete over JSON:API.
	if r := e.srv.Do(t, http.MethodDelete, "/api/mail/"+ref, nil, e.admin); r.Status >= 300 {
		t.Fatalf("DELETE mail: %d %s", r.Status, r.Body)
	}
	expect("JSON:API delete", "expunge", 1, nil)
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}
