package spam

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

func TestScore(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	record := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
	msg := []byte("From: a@good.test\r\nTo: b@x.test\r\nSubject: hi\r\n\r\nbody\r\n")
	sign := func(domain string) []byte {
		var out bytes.Buffer
		if err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{Domain: domain, Selector: "s", Signer: key}); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	tampered := bytes.Replace(sign("good.test"), []byte("body"), []byte("BODY"), 1)
	dns := fakeDNS{txt: map[string][]string{
		"s._domainkey.good.test": {record},
		"good.test":              {"v=spf1 ip4:192.0.2.0/24 -all"},
		"soft.test":              {"v=spf1 ~all"},
	}}
	in, out := net.ParseIP("192.0.2.9"), net.ParseIP("198.51.100.1")
	cases := []struct {
		name string
		ip   net.IP
		from string
		raw  []byte
		want float64
	}{
		{"unsigned, SPF pass", in, "a@good.test", msg, 0},
		{"signed and verified, SPF pass", in, "a@good.test", sign("good.test"), 0},
		{"signature over a changed body", in, "a@good.test", tampered, DKIMFail},
		{"key not published", in, "a@good.test", sign("nokey.test"), DKIMFail},
		{"SPF fail", out, "a@good.test", msg, SPFFail},
		{"SPF softfail", out, "a@soft.test", msg, SPFSoftFail},
		{"no SPF record", out, "a@none.test", msg, 0},
		{"HELO domain when the sender is empty", out, "", msg, SPFFail},
		{"bad signature and SPF fail", out, "a@good.test", tampered, DKIMFail + SPFFail},
	}
	s := &Scorer{DNS: dns}
	for _, c := range cases {
		if got := s.Score(context.Background(), c.ip, "good.test", c.from, bytes.NewReader(c.raw)); got != c.want {
			t.Errorf("%s: score %v, want %v", c.name, got, c.want)
		}
	}
}
