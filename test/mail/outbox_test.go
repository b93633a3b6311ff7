package mail

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/apiary/apiary/mail/store"
)

func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.foreign.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"mx.foreign.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestAuthenticatedSendIsSignedQueuedAndDelivered: alice sends to a
// foreign domain over authenticated SMTP; the outbox delivers it over
// STARTTLS to the exchanger (a local sink), DKIM-signed with the key whose
// public half the certificate row publishes; a refused recipient is retried
// later with its error kept.
func TestAuthenticatedSendIsSignedQueuedAndDelivered(t *testing.T) {
	sk := startSink(t, testCert(t))
	e := setup(t, serverOpts{smarthost: sk.addr})
	out := e.swaks(t, "--from", "alice@"+Domain, "--to", "friend@foreign.test,refuse@foreign.test", "--tls", "--auth", "PLAIN",
		"--auth-user", "alice@"+Domain, "--auth-password", alicePass, "--header", "Subject: outward bound", "--body", "see you")
	if !strings.Contains(out, "250 2.0.0 OK: queued") {
		t.Fatalf("authenticated relay refused:\n%s", out)
	}
	waitFor(t, "delivery to the sink", func() bool { return len(sk.mails()) == 1 })
	got := sk.mails()[0]
	if got.to != "friend@foreign.test" || got.from != "alice@"+Domain || got.helo != Domain || !got.tls {
		t.Fatalf("sink got to=%s from=%s helo=%s tls=%v", got.to, got.from, got.helo, got.tls)
	}
	// DKIM verifies with the key download_public_key serves, published
	// as docs/mail.md shows.
	record := dkimRecordFromAction(t, e, Domain)
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(got.data), &dkim.VerifyOptions{LookupTXT: func(name string) ([]string, error) {
		if name != "d1._domainkey."+Domain {
			return nil, fmt.Errorf("unexpected lookup %s", name)
		}
		return []string{record}, nil
	}})
	if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != Domain {
		t.Fatalf("DKIM verification: %v %+v", err, vs)
	}
	// The outbox rows: one sent, one failed with its error and a retry in
	// about 2 minutes.
	var refused map[string]any
	waitFor(t, "the refused row's retry", func() bool {
		for _, r := range e.list(t, "outbox", "", e.admin) {
			if attr(r, "to_address") == "refuse@foreign.test" && attr(r, "retry_count") == "1" {
				refused = r["attributes"].(map[string]any)
				return true
			}
		}
		return false
	})
	if !strings.Contains(fmt.Sprint(refused["last_error"]), "550") {
		t.Errorf("last_error = %v", refused["last_error"])
	}
	next, err := time.Parse(time.RFC3339Nano, fmt.Sprint(refused["next_retry_at"]))
	if err != nil || next.Sub(time.Now()) < 90*time.Second || next.Sub(time.Now()) > 130*time.Second {
		t.Errorf("next_retry_at = %v (%v), want about 2 minutes ahead", refused["next_retry_at"], err)
	}
	for _, r := range e.list(t, "outbox", "", e.admin) {
		if attr(r, "to_address") == "friend@foreign.test" && (attr(r, "sent") != "1" || attr(r, "retry_count") != "0") {
			t.Errorf("delivered row: sent=%s retry_count=%s", attr(r, "sent"), attr(r, "retry_count"))
		}
	}
	// A copy is in alice's Sent box.
	sent := 0
	for _, r := range e.mails(t, e.alice) {
		if attr(r, "subject") == "outward bound" {
			sent++
		}
	}
	if sent != 1 {
		t.Errorf("%d copies in alice's mailboxes, want 1 (Sent)", sent)
	}
	// process_outbox now finds nothing due.
	r := e.srv.Do(t, http.MethodPost, "/action/outbox/process_outbox", map[string]any{"attributes": map[string]any{}}, e.admin)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "0 sent, 0 failed") {
		t.Fatalf("process_outbox: %d %s", r.Status, r.Body)
	}
}

// TestProcessOutboxClaimsEachRowOnce: two process_outbox runs at once
// attempt each due row exactly once (the claim), like Daptin's cluster
// dedup test; the exchanger is unreachable, so every attempt fails.
func TestProcessOutboxClaimsEachRowOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens here any more
	e := setup(t, serverOpts{smarthost: dead})
	server := e.list(t, "mail_server", "", e.admin)[0]["id"].(string)
	enc, err := store.Encode([]byte("From: alice@" + Domain + "\r\nSubject: x\r\n\r\nx\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	const rows = 10
	for i := 0; i < rows; i++ {
		e.create(t, "outbox", map[string]any{"from_address": "alice@" + Domain, "to_address": fmt.Sprintf("r%d@unreachable.test", i),
			"to_host": "unreachable.test", "mail": enc, "sent": false, "retry_count": 0},
			map[string]any{"mail_server_id": map[string]any{"data": map[string]any{"type": "mail_server", "id": server}}})
	}
	var wg sync.WaitGroup
	bodies := make([]string, 2)
	for i := range bodies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := e.srv.Do(t, http.MethodPost, "/action/outbox/process_outbox", map[string]any{"attributes": map[string]any{}}, e.admin)
			bodies[i] = string(r.Body)
		}(i)
	}
	wg.Wait()
	failed := 0
	for _, b := range bodies {
		var n int
		if i := strings.Index(b, "0 sent, "); i >= 0 {
			fmt.Sscanf(b[i+len("0 sent, "):], "%d failed", &n)
		}
		failed += n
	}
	for _, r := range e.list(t, "outbox", "", e.admin) {
		if attr(r, "retry_count") != "1" || attr(r, "sent") != "0" || attr(r, "last_error") == "" {
			t.Errorf("row %s: retry_count=%s sent=%s last_error=%q", attr(r, "to_address"), attr(r, "retry_count"), attr(r, "sent"), attr(r, "last_error"))
		}
	}
	if failed != rows {
		t.Errorf("the two runs attempted %d rows, want %d: %q", failed, rows, bodies)
	}
}

// dkimRecordFromAction calls download_public_key on the certificate row of
// domain, checks the answer has Daptin's form and returns the DKIM TXT
// record built from it as docs/mail.md does (the PEM body on one line).
func dkimRecordFromAction(t *testing.T, e *env, domain string) string {
	t.Helper()
	rows := e.list(t, "certificate", fmt.Sprintf(`[{"column":"hostname","operator":"is","value":%q}]`, domain), e.admin)
	if len(rows) != 1 {
		t.Fatalf("certificate of %s: %d rows", domain, len(rows))
	}
	r := e.srv.Do(t, http.MethodPost, "/action/certificate/download_public_key",
		map[string]any{"attributes": map[string]any{"certificate_id": rows[0]["id"]}}, e.admin)
	var resp []struct {
		ResponseType string
		Attributes   map[string]string
	}
	if err := json.Unmarshal(r.Body, &resp); r.Status != http.StatusOK || err != nil || len(resp) != 1 {
		t.Fatalf("download_public_key: %d %s %v", r.Status, r.Body, err)
	}
	a := resp[0].Attributes
	if resp[0].ResponseType != "client.file.download" || a["name"] != domain+".pem.key.pub" ||
		a["contentType"] != "application/x-x509-ca-cert" || a["message"] != "Public Key for "+domain {
		t.Fatalf("download_public_key answer: %s", r.Body)
	}
	pemText, err := base64.StdEncoding.DecodeString(a["content"])
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemText)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		t.Fatalf("downloaded key is not a PUBLIC KEY PEM: %q", pemText)
	}
	if _, err := x509.ParsePKIXPublicKey(blk.Bytes); err != nil {
		t.Fatal(err)
	}
	// grep -v '^-----' | tr -d '\n', as in docs/mail.md
	var p strings.Builder
	for _, l := range strings.Split(string(pemText), "\n") {
		if !strings.HasPrefix(l, "-----") {
			p.WriteString(strings.TrimSpace(l))
		}
	}
	return "v=DKIM1; k=rsa; p=" + p.String()
}
