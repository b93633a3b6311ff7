package certs

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func TestSelfSigned(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		host, keyType string
		dns           []string
		ips           int
		ecdsa         bool
	}{
		{host: "a.test", keyType: KeyRSA, dns: []string{"a.test"}},
		{host: "B.test:443, 10.0.0.1", keyType: KeyECDSA, dns: []string{"b.test"}, ips: 1, ecdsa: true},
	}
	for _, tc := range tests {
		g, err := SelfSigned(tc.host, tc.keyType, now)
		if err != nil {
			t.Fatalf("%s: %v", tc.host, err)
		}
		if _, err := tls.X509KeyPair([]byte(g.CertPEM), []byte(g.KeyPEM)); err != nil {
			t.Errorf("%s: key pair: %v", tc.host, err)
		}
		b, _ := pem.Decode([]byte(g.CertPEM))
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.DNSNames) != len(tc.dns) || c.DNSNames[0] != tc.dns[0] || len(c.IPAddresses) != tc.ips {
			t.Errorf("%s: SANs %v %v", tc.host, c.DNSNames, c.IPAddresses)
		}
		if !c.NotAfter.Equal(now.AddDate(1, 0, 0)) {
			t.Errorf("%s: NotAfter %v", tc.host, c.NotAfter)
		}
		_, isEC := c.PublicKey.(*ecdsa.PublicKey)
		_, isRSA := c.PublicKey.(*rsa.PublicKey)
		if isEC != tc.ecdsa || isRSA == tc.ecdsa {
			t.Errorf("%s: key type %T", tc.host, c.PublicKey)
		}
	}
	if _, err := SelfSigned(" , ", KeyRSA, now); err == nil {
		t.Error("an empty hostname was accepted")
	}
}
