package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations/memres"
	"github.com/apiary/apiary/resource"
)

func TestHostList(t *testing.T) {
	for in, want := range map[string][]string{
		"a.test":                        {"a.test"},
		"A.Test:443":                    {"a.test"},
		" a.test , b.test:8443 ,, ":     {"a.test", "b.test"},
		"[::1]:443, 10.0.0.1":           {"::1", "10.0.0.1"},
		"":                              nil,
		"  ,  ":                         nil,
		"www.example.test,example.test": {"www.example.test", "example.test"},
	} {
		if got := hostList(in); !reflect.DeepEqual(got, want) {
			t.Errorf("hostList(%q) = %v, want %v", in, got, want)
		}
	}
}

func newManager(t *testing.T) (*Manager, *memres.Res, *time.Time) {
	t.Helper()
	res := memres.New()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	m := NewManager(func() resource.Service { return res }, func(s string) (string, error) {
		if strings.HasPrefix(s, "locked:") {
			return "", errors.New("no key")
		}
		return s, nil
	}, func() time.Time { return now })
	return m, res, &now
}

func serial(t *testing.T, c *tls.Certificate) string {
	t.Helper()
	x, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return x.SerialNumber.String()
}

func TestManagerServesBySNI(t *testing.T) {
	m, res, _ := newManager(t)
	ctx := context.Background()
	for _, h := range []string{"one.test", "two.test, www.two.test:443"} {
		created, err := m.EnsureSelf(ctx, h, KeyECDSA)
		if err != nil || !created {
			t.Fatalf("EnsureSelf(%s) = %v %v", h, created, err)
		}
	}
	if created, err := m.EnsureSelf(ctx, "one.test", KeyRSA); err != nil || created {
		t.Errorf("EnsureSelf on an existing certificate = %v %v", created, err)
	}
	if _, err := m.EnsureSelf(ctx, " , ", KeyRSA); err == nil {
		t.Error("EnsureSelf without a hostname")
	}
	res.Put(Table, "bad", map[string]any{"hostname": "bad.test", "certificate_pem": "garbage", "private_key_pem": "x"})
	res.Put(Table, "locked", map[string]any{"hostname": "locked.test", "certificate_pem": "x", "private_key_pem": "locked:x"})
	res.Put(Table, "empty", map[string]any{"hostname": "empty.test"})
	tests := []struct {
		sni string
		err string
	}{
		{"one.test", ""},
		{"ONE.test.", ""},
		{"www.two.test", ""},
		{"two.test", ""},
		{"three.test", "certificate not found for hostname [three.test]"},
		{"", "certificate not found for hostname []"},
		{"bad.test", "unusable"},
		{"locked.test", "unusable"},
		{"empty.test", "unusable"},
		{"wo.test", "not found"}, // a substring of a listed name is not a match
	}
	for _, tc := range tests {
		c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: tc.sni})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.sni, err, tc.err)
			}
			continue
		}
		if err != nil || c == nil {
			t.Errorf("%q: %v", tc.sni, err)
		}
	}
	a, _ := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "two.test"})
	b, _ := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "www.two.test"})
	if serial(t, a) != serial(t, b) {
		t.Error("two names of one row got different certificates")
	}
	if cfg := m.TLSConfig(); cfg.MinVersion != tls.VersionTLS12 || cfg.GetCertificate == nil {
		t.Errorf("TLS config %+v", cfg)
	}
}

// A certificate written after the first handshake is served on the next
// one when the manager follows the table.
func TestManagerFollowsRenewals(t *testing.T) {
	m, res, now := newManager(t)
	ctx := context.Background()
	if _, err := m.EnsureSelf(ctx, "r.test", KeyRSA); err != nil {
		t.Fatal(err)
	}
	m.Follow()
	defer m.Stop()
	first, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "r.test"})
	if err != nil {
		t.Fatal(err)
	}
	*now = now.AddDate(0, 1, 0)
	g, err := SelfSigned("r.test", KeyECDSA, *now)
	if err != nil {
		t.Fatal(err)
	}
	row, _ := m.Find(ctx, "r.test")
	if _, err := res.Update(auth.WithPrincipal(ctx, auth.System()), Table, row.RefID, resource.Input{Attributes: map[string]any{
		"certificate_pem": g.CertPEM, "root_certificate": g.CertPEM, "private_key_pem": g.KeyPEM}}); err != nil {
		t.Fatal(err)
	}
	second, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "r.test"})
	if err != nil || serial(t, first) == serial(t, second) {
		t.Errorf("the renewed certificate is not served: %v", err)
	}
	if _, err := m.Find(ctx, "nope.test"); !errors.Is(err, resource.ErrNotFound) {
		t.Errorf("Find of an unknown host: %v", err)
	}
}

type memKeys map[string]string

func (k memKeys) Load(_ context.Context, email string) (string, error) { return k[email], nil }
func (k memKeys) Save(_ context.Context, email, key string) error      { k[email] = key; return nil }

func TestACMEWithoutIssuing(t *testing.T) {
	m, res, now := newManager(t)
	a, err := m.NewACME("", "", nil, memKeys{})
	if err != nil || a.directory != acme.LetsEncryptURL || a.client == nil || a.challenge != ChallengeHTTP01 {
		t.Errorf("defaults: %s %v", a.directory, a.client)
	}
	if _, ok := a.ChallengeHandler("tok"); ok {
		t.Error("an unknown token was answered")
	}
	a.tokens["tok"] = "tok.thumb"
	if ka, ok := a.ChallengeHandler("tok"); !ok || ka != "tok.thumb" {
		t.Errorf("challenge: %q %v", ka, ok)
	}
	// Certificates far from expiry, self-signed ones and unreadable ones
	// are not renewed (no CA is contacted).
	g, _ := SelfSigned("far.test", KeyECDSA, *now)
	res.Put(Table, "", map[string]any{"hostname": "far.test", "issuer": "acme", "certificate_pem": g.CertPEM})
	res.Put(Table, "", map[string]any{"hostname": "self.test", "issuer": "self", "certificate_pem": g.CertPEM})
	res.Put(Table, "", map[string]any{"hostname": "junk.test", "issuer": "acme", "certificate_pem": "junk"})
	n, err := a.RenewDue(context.Background(), "a@example.test", 30*24*time.Hour)
	if err != nil || n != 0 {
		t.Errorf("RenewDue = %d %v", n, err)
	}
	// A certificate that is due is renewed: against an unreachable CA the
	// attempt fails and says so.
	a, _ = m.NewACME("http://127.0.0.1:1/dir", ChallengeTLSALPN01, &http.Client{Timeout: time.Second}, memKeys{})
	*now = now.AddDate(1, 0, 0)
	if n, err := a.RenewDue(context.Background(), "a@example.test", 30*24*time.Hour); err == nil || n != 0 {
		t.Errorf("RenewDue of a due certificate with no CA = %d %v", n, err)
	}
}

func TestSNIName(t *testing.T) {
	for in, want := range map[string]string{
		"Example.TEST": "example.test",
		"127.0.0.1":    "1.0.0.127.in-addr.arpa",
		"10.1.2.3":     "3.2.1.10.in-addr.arpa",
		"2001:db8::1":  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	} {
		if got := sniName(in); got != want {
			t.Errorf("sniName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A handshake offering acme-tls/1 gets the challenge certificate of its
// name, or nothing; other handshakes are unaffected.
func TestTLSALPNHandshakes(t *testing.T) {
	m, _, _ := newManager(t)
	if _, err := m.NewACME("", "dns-01", nil, memKeys{}); err == nil {
		t.Error("an unknown challenge type was accepted")
	}
	a, err := m.NewACME("", ChallengeTLSALPN01, nil, memKeys{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.EnsureSelf(context.Background(), "site.test", KeyECDSA); err != nil {
		t.Fatal(err)
	}
	chal := &tls.Certificate{Certificate: [][]byte{{1}}}
	a.alpn[sniName("127.0.0.1")] = chal
	if !slices.Contains(m.TLSConfig().NextProtos, acme.ALPNProto) {
		t.Error("the TLS configuration does not offer acme-tls/1")
	}
	tests := []struct {
		sni    string
		protos []string
		want   *tls.Certificate // nil: any non-challenge certificate
		err    bool
	}{
		{"1.0.0.127.in-addr.arpa.", []string{acme.ALPNProto}, chal, false},
		{"site.test", []string{acme.ALPNProto}, nil, true},
		{"site.test", []string{"h2", "http/1.1"}, nil, false},
	}
	for _, tc := range tests {
		c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: tc.sni, SupportedProtos: tc.protos})
		switch {
		case tc.err != (err != nil):
			t.Errorf("%s %v: err = %v", tc.sni, tc.protos, err)
		case tc.want != nil && c != tc.want:
			t.Errorf("%s %v: not the challenge certificate", tc.sni, tc.protos)
		case tc.want == nil && c == chal:
			t.Errorf("%s %v: the challenge certificate served to a normal handshake", tc.sni, tc.protos)
		}
	}
}
