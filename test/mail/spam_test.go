package mail

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
)

// plainSend delivers one message without TLS, as an MTA without
// STARTTLS would.
func plainSend(addr, from, to string, msg []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("outside.test"); err != nil {
		return err
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	if err := c.Rcpt(to, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// dkimSign signs msg n times for outside.test with key, selector s1.
func dkimSign(t *testing.T, msg []byte, key *rsa.PrivateKey, n int) []byte {
	t.Helper()
	for i := 0; i < n; i++ {
		var out bytes.Buffer
		if err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{Domain: "outside.test", Selector: "s1", Signer: key}); err != nil {
			t.Fatal(err)
		}
		msg = out.Bytes()
	}
	return msg
}

func dkimRecord(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

// TestInboundScoring: DKIM and SPF results become spam_score, the Spam
// flag and, over 299, the Spam mailbox.
func TestInboundScoring(t *testing.T) {
	published, _ := rsa.GenerateKey(rand.Reader, 1024)
	forger, _ := rsa.GenerateKey(rand.Reader, 1024)
	dns := fakeDNS{txt: map[string][]string{
		"s1._domainkey.outside.test": {dkimRecord(t, published)},
		"outside.test":               {"v=spf1 ip4:127.0.0.1 -all"},
		"forged.test":                {"v=spf1 ip4:192.0.2.1 -all"},
		"s1._domainkey.forged.test":  {dkimRecord(t, published)},
	}}
	e := setup(t, serverOpts{dns: dns})
	base := func(from, subject string) []byte {
		return []byte("From: " + from + "\r\nTo: alice@" + Domain + "\r\nSubject: " + subject + "\r\nMessage-ID: <" +
			strings.ReplaceAll(subject, " ", ".") + "@x>\r\n\r\nbody\r\n")
	}
	cases := []struct {
		subject, from string
		msg           []byte
		score, box    string
		spam          bool
	}{
		{"good", "a@outside.test", dkimSign(t, base("a@outside.test", "good"), published, 1), "0", "INBOX", false},
		{"unsigned", "a@outside.test", base("a@outside.test", "unsigned"), "0", "INBOX", false},
		{"bad signature", "a@outside.test", dkimSign(t, base("a@outside.test", "bad signature"), forger, 1), "100", "INBOX", true},
		{"spf fail", "a@forged.test", base("a@forged.test", "spf fail"), "100", "INBOX", true},
		{"spf fail three bad signatures", "a@forged.test", dkimSign(t, base("a@forged.test", "spf fail three bad signatures"), forger, 3), "400", "Spam", true},
	}
	for _, c := range cases {
		if err := plainSend(e.smtpAddr, c.from, "alice@"+Domain, c.msg); err != nil {
			t.Fatalf("%s: %v", c.subject, err)
		}
	}
	boxes := map[string]string{}
	for _, b := range e.list(t, "mail_box", "", e.admin) {
		boxes[b["id"].(string)] = attr(b, "name")
	}
	got := map[string]map[string]any{}
	for _, r := range e.mails(t, e.alice) {
		got[attr(r, "subject")] = r["attributes"].(map[string]any)
	}
	for _, c := range cases {
		a, ok := got[c.subject]
		if !ok {
			t.Errorf("%s: not stored", c.subject)
			continue
		}
		score := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(fmtAny(a["spam_score"])), ".0"), ".000000")
		spam := fmtAny(a["spam"]) == "1"
		if score != c.score || spam != c.spam || boxes[fmtAny(a["mail_box_id"])] != c.box ||
			strings.Contains(fmtAny(a["flags"]), "Spam") != c.spam {
			t.Errorf("%s: spam_score=%v spam=%v box=%s flags=%v; want %s %v %s", c.subject, a["spam_score"], a["spam"],
				boxes[fmtAny(a["mail_box_id"])], a["flags"], c.score, c.spam, c.box)
		}
	}
}
