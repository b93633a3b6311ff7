package store

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/apiary/apiary/resource"
)

// TableCertificate holds TLS certificates and DKIM keys (contract §11).
const TableCertificate = "certificate"

// Certificate returns the certificate row of hostname as a TLS
// certificate, creating a self-signed one (RSA 2048, one year) when the
// row is missing or empty.
func (s *Store) Certificate(ctx context.Context, hostname string) (tls.Certificate, error) {
	host := hostOnly(hostname)
	certPEM, keyPEM, err := s.certPEM(ctx, host)
	if err != nil {
		return tls.Certificate{}, err
	}
	if certPEM == "" || keyPEM == "" {
		if certPEM, keyPEM, err = s.selfSign(ctx, host); err != nil {
			return tls.Certificate{}, err
		}
	}
	return tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
}

// SigningKey returns the private key of hostname's certificate row (the
// DKIM key of that domain); found is false when there is none.
func (s *Store) SigningKey(ctx context.Context, hostname string) (crypto.Signer, bool, error) {
	_, keyPEM, err := s.certPEM(ctx, hostOnly(hostname))
	if err != nil || keyPEM == "" {
		return nil, false, err
	}
	k, err := ParsePrivateKey(keyPEM)
	return k, err == nil, err
}

// ParsePrivateKey reads a PEM private key in PKCS#1 or PKCS#8 form
// (Daptin labels PKCS#1 bytes "PRIVATE KEY").
func ParsePrivateKey(keyPEM string) (crypto.Signer, error) {
	b, _ := pem.Decode([]byte(keyPEM))
	if b == nil {
		return nil, errors.New("private key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("private key cannot sign")
	}
	return signer, nil
}

func (s *Store) certPEM(ctx context.Context, host string) (certPEM, keyPEM string, err error) {
	p, err := s.res().List(sys(ctx), TableCertificate, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "hostname", Operator: "is", Value: host}}})
	if err != nil || len(p.Rows) == 0 {
		return "", "", err
	}
	a := p.Rows[0].Attrs
	key := str(a["private_key_pem"])
	if key != "" {
		if key, err = s.decrypt(key); err != nil {
			return "", "", fmt.Errorf("certificate of %s: private key not readable: %w", host, err)
		}
	}
	return str(a["certificate_pem"]), key, nil
}

func (s *Store) selfSign(ctx context.Context, host string) (certPEM, keyPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	now := s.now()
	tpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{Organization: []string{"Apiary"}, CommonName: host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), BasicConstraintsValid: true, IsCA: true,
		KeyUsage:    x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, h := range strings.Split(host, ",") {
		if ip := net.ParseIP(h); ip != nil {
			tpl.IPAddresses = append(tpl.IPAddresses, ip)
		} else if h != "" {
			tpl.DNSNames = append(tpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	attrs := map[string]any{"hostname": host, "issuer": "self", "generated_at": now.UTC(), "certificate_pem": certPEM,
		"root_certificate": certPEM, "private_key_pem": keyPEM,
		"public_key_pem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}
	p, err := s.res().List(sys(ctx), TableCertificate, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "hostname", Operator: "is", Value: host}}})
	if err != nil {
		return "", "", err
	}
	if len(p.Rows) > 0 {
		_, err = s.res().Update(sys(ctx), TableCertificate, p.Rows[0].RefID, resource.Input{Attributes: attrs})
	} else {
		_, err = s.res().Create(sys(ctx), TableCertificate, resource.Input{Attributes: attrs})
	}
	if err != nil {
		return "", "", fmt.Errorf("store certificate of %s: %w", host, err)
	}
	s.log.Info("self-signed certificate created", "hostname", host)
	return certPEM, keyPEM, nil
}

func hostOnly(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}
