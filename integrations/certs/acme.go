package certs

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/apiary/apiary/resource"
)

// Keys is where ACME account keys are kept (encrypted by the caller's
// store), one per e-mail address.
type Keys interface {
	Load(ctx context.Context, email string) (string, error) // "" when none
	Save(ctx context.Context, email, keyPEM string) error
}

// Challenge types an ACME issuer can answer.
const (
	ChallengeHTTP01    = "http-01"
	ChallengeTLSALPN01 = "tls-alpn-01"
)

// ACME issues and renews certificates with HTTP-01 or TLS-ALPN-01
// challenges.
type ACME struct {
	m         *Manager
	directory string
	client    *http.Client
	keys      Keys
	challenge string
	mu        sync.Mutex
	tokens    map[string]string           // HTTP-01: token -> key authorisation
	alpn      map[string]*tls.Certificate // TLS-ALPN-01: SNI name -> challenge certificate
}

// NewACME builds an ACME issuer against directory (Let's Encrypt's by
// default) answering challenge ("" is HTTP-01; TLS-ALPN-01 is answered
// by this manager's TLS configuration, so call it before serving); client
// may carry the CA's roots for tests.
func (m *Manager) NewACME(directory, challenge string, client *http.Client, keys Keys) (*ACME, error) {
	if directory == "" {
		directory = acme.LetsEncryptURL
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	switch challenge {
	case "":
		challenge = ChallengeHTTP01
	case ChallengeHTTP01, ChallengeTLSALPN01:
	default:
		return nil, fmt.Errorf("unknown ACME challenge type %q (want %s or %s)", challenge, ChallengeHTTP01, ChallengeTLSALPN01)
	}
	a := &ACME{m: m, directory: directory, client: client, keys: keys, challenge: challenge,
		tokens: map[string]string{}, alpn: map[string]*tls.Certificate{}}
	m.alpn = a.alpnCert
	return a, nil
}

// alpnCert returns the TLS-ALPN-01 challenge certificate of an SNI name.
func (a *ACME) alpnCert(name string) (*tls.Certificate, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.alpn[name]
	return c, ok
}

// sniName is the server name a CA sends for an identifier: the name
// itself, or the reverse-DNS name of an IP address (RFC 8738), lower
// case and without the final dot.
func sniName(identifier string) string {
	ip := net.ParseIP(identifier)
	if ip == nil {
		return strings.ToLower(identifier)
	}
	if v4 := ip.To4(); v4 != nil {
		return fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", v4[3], v4[2], v4[1], v4[0])
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := len(ip) - 1; i >= 0; i-- {
		b.WriteByte(hex[ip[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hex[ip[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("ip6.arpa")
	return b.String()
}

// ChallengeHandler answers GET /.well-known/acme-challenge/{token}.
func (a *ACME) ChallengeHandler(token string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ka, ok := a.tokens[token]
	return ka, ok
}

func (a *ACME) account(ctx context.Context, email string) (*acme.Client, error) {
	keyPEM, err := a.keys.Load(ctx, email)
	if err != nil {
		return nil, err
	}
	var key crypto.Signer
	if b, _ := pem.Decode([]byte(keyPEM)); b != nil {
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if s, ok := k.(crypto.Signer); err == nil && ok {
			key = s
		}
	}
	if key == nil {
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, _ := x509.MarshalPKCS8PrivateKey(ek)
		if err := a.keys.Save(ctx, email, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))); err != nil {
			return nil, err
		}
		key = ek
	}
	c := &acme.Client{Key: key, DirectoryURL: a.directory, HTTPClient: a.client}
	_, err = c.Register(ctx, &acme.Account{Contact: []string{"mailto:" + email}}, acme.AcceptTOS)
	if err != nil && !errors.Is(err, acme.ErrAccountAlreadyExists) {
		return nil, fmt.Errorf("acme account: %w", err)
	}
	return c, nil
}

// Issue gets a certificate for hostname (comma-separated names; IP
// entries become IP identifiers) and stores it in the table, issuer acme.
func (a *ACME) Issue(ctx context.Context, hostname, email string) error {
	hosts := hostList(hostname)
	if len(hosts) == 0 {
		return errors.New("no hostname")
	}
	c, err := a.account(ctx, email)
	if err != nil {
		return err
	}
	var ids []acme.AuthzID
	tpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: hosts[0]}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			ids = append(ids, acme.IPIDs(h)...)
			tpl.IPAddresses = append(tpl.IPAddresses, ip)
		} else {
			ids = append(ids, acme.DomainIDs(h)...)
			tpl.DNSNames = append(tpl.DNSNames, h)
		}
	}
	order, err := c.AuthorizeOrder(ctx, ids)
	if err != nil {
		return fmt.Errorf("acme order: %w", err)
	}
	for _, u := range order.AuthzURLs {
		if err := a.authorise(ctx, c, u); err != nil {
			return err
		}
	}
	ready, err := c.WaitOrder(ctx, order.URI)
	if err != nil {
		return fmt.Errorf("acme order: %w", err)
	}
	if ready.FinalizeURL == "" {
		ready.FinalizeURL = order.FinalizeURL
	}
	if ready.URI == "" {
		ready.URI = order.URI
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, tpl, key)
	if err != nil {
		return err
	}
	ders, _, err := c.CreateCertFromOrder(ctx, ready, csr, true)
	if err != nil || len(ders) == 0 {
		return fmt.Errorf("acme certificate: %v", err)
	}
	return a.store(ctx, hostname, key, ders)
}

// authorise answers the challenge of one authorisation.
func (a *ACME) authorise(ctx context.Context, c *acme.Client, url string) error {
	z, err := c.GetAuthorization(ctx, url)
	if err != nil {
		return fmt.Errorf("acme authorization: %w", err)
	}
	if z.Status == acme.StatusValid {
		return nil
	}
	var chal *acme.Challenge
	for _, ch := range z.Challenges {
		if ch.Type == a.challenge {
			chal = ch
		}
	}
	if chal == nil {
		return fmt.Errorf("acme: the CA offers no %s challenge", a.challenge)
	}
	undo, err := a.answer(c, chal, z.Identifier.Value)
	if err != nil {
		return err
	}
	defer undo()
	if _, err := c.Accept(ctx, chal); err != nil {
		return fmt.Errorf("acme challenge: %w", err)
	}
	if _, err := c.WaitAuthorization(ctx, z.URI); err != nil {
		return fmt.Errorf("acme challenge: %w", err)
	}
	return nil
}

// answer makes the challenge answerable: the key authorisation at
// /.well-known/acme-challenge/ (HTTP-01) or a challenge certificate for
// the identifier's SNI name (TLS-ALPN-01). undo withdraws it.
func (a *ACME) answer(c *acme.Client, chal *acme.Challenge, identifier string) (undo func(), err error) {
	if a.challenge == ChallengeTLSALPN01 {
		cert, err := c.TLSALPN01ChallengeCert(chal.Token, identifier)
		if err != nil {
			return nil, err
		}
		name := sniName(identifier)
		a.mu.Lock()
		a.alpn[name] = &cert
		a.mu.Unlock()
		return func() { a.mu.Lock(); delete(a.alpn, name); a.mu.Unlock() }, nil
	}
	ka, err := c.HTTP01ChallengeResponse(chal.Token)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.tokens[chal.Token] = ka
	a.mu.Unlock()
	return func() { a.mu.Lock(); delete(a.tokens, chal.Token); a.mu.Unlock() }, nil
}

func (a *ACME) store(ctx context.Context, hostname string, key *ecdsa.PrivateKey, ders [][]byte) error {
	enc := func(typ string, b []byte) string { return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})) }
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	pubDER, _ := x509.MarshalPKIXPublicKey(key.Public())
	chain := ""
	for _, d := range ders[1:] {
		chain += enc("CERTIFICATE", d)
	}
	attrs := map[string]any{"hostname": hostname, "issuer": "acme", "generated_at": a.m.now().UTC().Format(time.RFC3339),
		"certificate_pem": enc("CERTIFICATE", ders[0]), "root_certificate": chain,
		"private_key_pem": enc("PRIVATE KEY", keyDER), "public_key_pem": enc("PUBLIC KEY", pubDER)}
	res := a.m.res()
	if row, err := a.m.Find(ctx, hostList(hostname)[0]); err == nil {
		_, err = res.Update(system(ctx), Table, row.RefID, resource.Input{Attributes: attrs})
		return err
	}
	_, err := res.Create(system(ctx), Table, resource.Input{Attributes: attrs})
	return err
}

// RenewDue re-issues every acme certificate that expires within before,
// with the account of email; it returns how many were renewed.
func (a *ACME) RenewDue(ctx context.Context, email string, before time.Duration) (int, error) {
	p, err := a.m.res().List(system(ctx), Table, resource.Query{PageSize: resource.MaxPageSize,
		Conditions: []resource.Condition{{Column: "issuer", Operator: "is", Value: "acme"}}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, row := range p.Rows {
		certPEM, _ := row.Attrs["certificate_pem"].(string)
		b, _ := pem.Decode([]byte(certPEM))
		if b == nil {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil || c.NotAfter.After(a.m.now().Add(before)) {
			continue
		}
		host, _ := row.Attrs["hostname"].(string)
		if err := a.Issue(ctx, host, email); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
