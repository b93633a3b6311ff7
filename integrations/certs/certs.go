package certs

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
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
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Table holds the certificates.
const Table = "certificate"

// Key types of generated certificates.
const (
	KeyRSA   = "rsa"
	KeyECDSA = "ecdsa"
)

// Generated is a new key pair and certificate, PEM encoded.
type Generated struct {
	CertPEM, KeyPEM, PublicPEM string
}

// SelfSigned makes a certificate for the comma-separated hostnames (IP
// entries become IP SANs), valid for a year.
func SelfSigned(hostname, keyType string, now time.Time) (Generated, error) {
	var priv crypto.Signer
	var err error
	if keyType == KeyECDSA {
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		return Generated{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return Generated{}, err
	}
	hosts := hostList(hostname)
	if len(hosts) == 0 {
		return Generated{}, errors.New("no hostname")
	}
	tpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{Organization: []string{"Apiary"}, CommonName: hosts[0]},
		NotBefore: now.Add(-time.Minute), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tpl.IPAddresses = append(tpl.IPAddresses, ip)
		} else {
			tpl.DNSNames = append(tpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, priv.Public(), priv)
	if err != nil {
		return Generated{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Generated{}, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return Generated{}, err
	}
	enc := func(typ string, b []byte) string { return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})) }
	return Generated{CertPEM: enc("CERTIFICATE", der), KeyPEM: enc("PRIVATE KEY", keyDER), PublicPEM: enc("PUBLIC KEY", pubDER)}, nil
}

// hostList splits a hostname column value: comma-separated, ports and
// case dropped.
func hostList(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}

// Manager serves certificates from the table by SNI.
type Manager struct {
	res     func() resource.Service
	decrypt func(string) (string, error)
	now     func() time.Time
	mu      sync.Mutex
	cache   map[string]*tls.Certificate
	cancel  func()
	// alpn answers TLS-ALPN-01 handshakes (set by NewACME before serving).
	alpn func(name string) (*tls.Certificate, bool)
}

// NewManager builds a Manager; decrypt opens private_key_pem.
func NewManager(res func() resource.Service, decrypt func(string) (string, error), now func() time.Time) *Manager {
	if now == nil {
		now = time.Now
	}
	return &Manager{res: res, decrypt: decrypt, now: now, cache: map[string]*tls.Certificate{}}
}

func system(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// Follow drops the cache whenever the certificate table changes, so a new
// or renewed certificate is served on the next handshake.
func (m *Manager) Follow() {
	m.cancel = m.res().Subscribe(func(c resource.Change) {
		if c.Table == Table {
			m.mu.Lock()
			m.cache = map[string]*tls.Certificate{}
			m.mu.Unlock()
		}
	})
}

// Stop stops following changes.
func (m *Manager) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

// TLSConfig is the configuration of the HTTPS listener.
func (m *Manager) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: m.GetCertificate, NextProtos: []string{"h2", "http/1.1", acme.ALPNProto}}
}

// GetCertificate returns the certificate of the SNI name, or the
// TLS-ALPN-01 challenge certificate to a CA that asks for acme-tls/1.
func (m *Manager) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	if slices.Contains(hello.SupportedProtos, acme.ALPNProto) {
		if m.alpn != nil {
			if c, ok := m.alpn(name); ok {
				return c, nil
			}
		}
		return nil, fmt.Errorf("no ACME challenge for hostname [%s]", name)
	}
	ctx := hello.Context()
	if ctx == nil { // a ClientHelloInfo made outside a handshake
		ctx = context.Background()
	}
	return m.Certificate(ctx, name)
}

// Certificate returns the certificate of a hostname from the table (cached
// until the table changes).
func (m *Manager) Certificate(ctx context.Context, hostname string) (*tls.Certificate, error) {
	name := strings.ToLower(strings.TrimSuffix(hostname, "."))
	m.mu.Lock()
	c, ok := m.cache[name]
	m.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := m.load(ctx, name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.cache[name] = c
	m.mu.Unlock()
	return c, nil
}

// load finds the row whose hostname list holds name.
func (m *Manager) load(ctx context.Context, name string) (*tls.Certificate, error) {
	if name == "" {
		return nil, errors.New("certificate not found for hostname []")
	}
	row, err := m.Find(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("certificate not found for hostname [%s]", name)
	}
	certPEM, _ := row.Attrs["certificate_pem"].(string)
	rootPEM, _ := row.Attrs["root_certificate"].(string)
	enc, _ := row.Attrs["private_key_pem"].(string)
	key, err := m.decrypt(enc)
	if err != nil || certPEM == "" {
		return nil, fmt.Errorf("certificate for hostname [%s] is unusable", name)
	}
	chain := certPEM
	if rootPEM != "" && strings.TrimSpace(rootPEM) != strings.TrimSpace(certPEM) {
		chain += "\n" + rootPEM
	}
	c, err := tls.X509KeyPair([]byte(chain), []byte(key))
	if err != nil {
		return nil, fmt.Errorf("certificate for hostname [%s] is unusable", name)
	}
	return &c, nil
}

// Find returns the certificate row for a hostname (exact, or one entry of
// a comma-separated list).
func (m *Manager) Find(ctx context.Context, name string) (resource.Row, error) {
	p, err := m.res().List(system(ctx), Table, resource.Query{PageSize: resource.MaxPageSize, Conditions: []resource.Condition{
		{Column: "hostname", Operator: "like", Value: "%" + name + "%"}}})
	if err != nil {
		return resource.Row{}, err
	}
	for _, row := range p.Rows {
		h, _ := row.Attrs["hostname"].(string)
		for _, x := range hostList(h) {
			if x == name {
				return row, nil
			}
		}
	}
	return resource.Row{}, resource.ErrNotFound
}

// EnsureSelf creates a self-signed certificate for hostname unless one
// exists; created reports whether it did.
func (m *Manager) EnsureSelf(ctx context.Context, hostname, keyType string) (created bool, err error) {
	hosts := hostList(hostname)
	if len(hosts) == 0 {
		return false, errors.New("no hostname")
	}
	row, err := m.Find(ctx, hosts[0])
	if err == nil {
		if s, _ := row.Attrs["certificate_pem"].(string); s != "" {
			return false, nil
		}
	}
	g, gerr := SelfSigned(hostname, keyType, m.now())
	if gerr != nil {
		return false, gerr
	}
	attrs := map[string]any{"hostname": hostname, "issuer": "self", "generated_at": m.now().UTC().Format(time.RFC3339),
		"certificate_pem": g.CertPEM, "root_certificate": g.CertPEM, "private_key_pem": g.KeyPEM, "public_key_pem": g.PublicPEM}
	if err == nil {
		_, err = m.res().Update(system(ctx), Table, row.RefID, resource.Input{Attributes: attrs})
	} else {
		_, err = m.res().Create(system(ctx), Table, resource.Input{Attributes: attrs})
	}
	return err == nil, err
}
