package mail

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/apiary/apiary/mail/store"
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
	const storeScript = `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4(sys.argv[1], int(sys.argv[2])); m.starttls(ssl_context=ctx); m.login(sys.argv[3], sys.argv[4])
m.select("INBOX"); print(m.store("1", "+FLAGS", "(\\Answered)")[0])
`
	if out, err := python(t, storeScript, ih, ip, "alice@"+Domain, alicePass); err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("imaplib STORE: %v\n%s", err, out)
	}
	expect("other session's STORE", "flags", 1, func(ev idleEvent) bool { return len(ev.fl) == 2 })
	// A delete over JSON:API.
	if r := e.srv.Do(t, http.MethodDelete, "/api/mail/"+ref, nil, e.admin); r.Status >= 300 {
		t.Fatalf("DELETE mail: %d %s", r.Status, r.Body)
	}
	expect("JSON:API delete", "expunge", 1, nil)
	// A row created over JSON:API, without a UID: it appears and gets the
	// mailbox's next UID.
	box := ""
	for _, b := range e.list(t, "mail_box", "", e.alice) {
		if attr(b, "name") == "INBOX" {
			box = b["id"].(string)
		}
	}
	raw := "From: app@" + Domain + "\r\nSubject: from the API\r\n\r\nhello\r\n"
	enc, err := store.Encode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	e.create(t, "mail", map[string]any{"subject": "from the API", "mail": enc, "size": len(raw), "internal_date": time.Now().UTC().Format(time.RFC3339),
		"message_id": "api-1@" + Domain, "mail_id": "api-1", "hash": "api-1", "from_address": "app@" + Domain, "to_address": "alice@" + Domain,
		"reply_to_address": "app@" + Domain, "sender_address": "app@" + Domain, "recipient": "alice@" + Domain, "body": "hello",
		"content_type": "text/plain", "ip_addr": "127.0.0.1", "return_path": "app@" + Domain, "spam_score": 0, "flags": ""},
		map[string]any{"mail_box_id": map[string]any{"data": map[string]any{"type": "mail_box", "id": box}}})
	expect("JSON:API create", "exists", 1, nil)
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].UID != 2 {
		t.Fatalf("API-created message over IMAP: %v %+v", err, msgs)
	}
	for _, b := range msgs[0].BodySection {
		if string(b.Bytes) != raw {
			t.Fatalf("body %q, want %q", b.Bytes, raw)
		}
	}
}
