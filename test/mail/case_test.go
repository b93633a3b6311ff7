package mail

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestUpperCaseUsername: an account created over the API with upper-case
// letters in its username receives mail addressed in lower case (RCPT is
// not refused), and logs in over IMAP with any spelling of its name.
func TestUpperCaseUsername(t *testing.T) {
	e := setup(t, serverOpts{})
	servers := e.list(t, "mail_server", "", e.admin)
	if len(servers) != 1 {
		t.Fatalf("%d mail servers", len(servers))
	}
	const pass = "carol-password"
	e.create(t, "mail_account", map[string]any{"username": "Carol.Case@" + strings.ToUpper(Domain), "password": pass, "password_md5": pass},
		map[string]any{"mail_server_id": map[string]any{"data": map[string]any{"type": "mail_server", "id": servers[0]["id"]}}})
	msg := []byte("From: x@outside.test\r\nTo: carol.case@" + Domain + "\r\nSubject: case\r\n\r\nhello carol\r\n")
	if err := plainSend(e.smtpAddr, "x@outside.test", "carol.case@"+Domain, msg); err != nil {
		t.Fatalf("RCPT to the lower-case address: %v", err)
	}
	for _, user := range []string{"carol.case@" + Domain, "CAROL.CASE@" + strings.ToUpper(Domain)} {
		c, err := imapclient.DialStartTLS(e.imapAddr, &imapclient.Options{TLSConfig: tlsInsecure})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login(user, pass).Wait(); err != nil {
			c.Close()
			t.Fatalf("LOGIN %s: %v", user, err)
		}
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil || sel.NumMessages != 1 {
			t.Errorf("%s: SELECT INBOX: %+v, %v", user, sel, err)
		}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true}).Collect()
		if err != nil || len(msgs) != 1 || msgs[0].Envelope.Subject != "case" {
			t.Errorf("%s: FETCH: %v", user, err)
		}
		c.Close()
	}
	if err := plainSend(e.smtpAddr, "x@outside.test", "nobody@"+Domain, msg); err == nil {
		t.Error("an unknown local user was accepted")
	}
}
