package integrations

import (
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	pebbledb "github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// pebbleCA is an in-process pebble behind a TLS test server; it answers
// once serve names the ports to validate challenges on.
type pebbleCA struct {
	srv     *httptest.Server
	handler atomic.Pointer[http.Handler]
}

func newPebble(t *testing.T) *pebbleCA {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	p := &pebbleCA{}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := p.handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// configure points the server's ACME client at pebble.
func (p *pebbleCA) configure(c *server.Config) {
	c.Integrations.ACMEDirectory = p.srv.URL + wfe.DirectoryPath
	c.Integrations.ACMEClient = p.srv.Client()
}

// serve starts pebble validating HTTP-01 on httpPort and TLS-ALPN-01 on
// tlsPort (of 127.0.0.1).
func (p *pebbleCA) serve(httpPort, tlsPort int) {
	logger := log.New(io.Discard, "", 0)
	store := pebbledb.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(logger, httpPort, tlsPort, false, "", store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	h := front.Handler()
	p.handler.Store(&h)
}

func portOf(t *testing.T, a net.Addr) int {
	t.Helper()
	_, portStr, _ := net.SplitHostPort(a.String())
	port, err := strconv.Atoi(portStr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// issued reads a certificate row after issuance and checks pebble signed
// it for one IP address; it returns the PEM.
func issued(t *testing.T, s *testserver.Server, id, admin string) string {
	t.Helper()
	row := attrsOf(t, s.Do(t, http.MethodGet, "/api/certificate/"+id, nil, admin))
	certPEM, _ := row["certificate_pem"].(string)
	b, _ := pem.Decode([]byte(certPEM))
	if row["issuer"] != "acme" || b == nil {
		t.Fatalf("row after issue: %v", row)
	}
	leaf, err := x509.ParseCertificate(b.Bytes)
	if err != nil || leaf.Issuer.String() == leaf.Subject.String() || len(leaf.IPAddresses) != 1 {
		t.Fatalf("issued certificate: %v %v", leaf, err)
	}
	return certPEM
}

// ACME issuance with an HTTP-01 challenge against an in-process pebble,
// then automatic renewal (the test's renewal window covers any expiry).
func TestACMEIssueAndRenewAgainstPebble(t *testing.T) {
	ca := newPebble(t)
	s := testserver.Start(t, testserver.WithConfig(func(c *server.Config) {
		ca.configure(c)
		c.Integrations.ACMERenewBefore = 100 * 365 * 24 * time.Hour
		c.Integrations.ACMECheckEvery = time.Second
	}))
	ca.serve(portOf(t, s.Srv.Addr("http")), 0)

	admin := s.Admin(t)
	id, _ := create(t, s, "certificate", map[string]any{"hostname": "127.0.0.1"}, admin)
	status, resp := actionResponses(t, s, "certificate", "generate_acme_certificate", map[string]any{"certificate_id": id, "email": "nobody@example.test"}, admin)
	if status != http.StatusBadRequest {
		t.Errorf("unknown e-mail: %d %v", status, resp)
	}
	status, resp = actionResponses(t, s, "certificate", "generate_acme_certificate", map[string]any{"certificate_id": id, "email": "admin@example.test"}, admin)
	if status != http.StatusOK {
		t.Fatalf("issue: %d %v", status, resp)
	}
	first := issued(t, s, id, admin)
	waitFor(t, 20*time.Second, "a renewed certificate", func() bool {
		cur, _ := attrsOf(t, s.Do(t, http.MethodGet, "/api/certificate/"+id, nil, admin))["certificate_pem"].(string)
		return cur != "" && cur != first
	})
}

// ACME issuance with a TLS-ALPN-01 challenge answered by the HTTPS
// listener (SNI 1.0.0.127.in-addr.arpa, protocol acme-tls/1); the plain
// HTTP listener is never asked.
func TestACMETLSALPNAgainstPebble(t *testing.T) {
	ca := newPebble(t)
	dir := t.TempDir()
	typ, dsn := dbtest.NewDSN(t)
	cfg := testserver.WithConfig(func(c *server.Config) {
		ca.configure(c)
		c.HTTP.HTTPSAddr = "127.0.0.1:0"
		c.Integrations.ACMEChallenge = "tls-alpn-01"
	})
	s := testserver.Start(t, testserver.WithDatabase(dir, typ, dsn), cfg)
	admin := s.Admin(t)
	if r := s.Do(t, http.MethodPost, "/_config/backend/enable_https", "true", admin); r.Status != http.StatusOK {
		t.Fatalf("enable_https: %d %s", r.Status, r.Body)
	}
	_ = s.Srv.Close()
	s = testserver.Start(t, testserver.WithDatabase(dir, typ, dsn), cfg)
	ca.serve(1, portOf(t, s.Srv.Addr("https"))) // port 1: an HTTP-01 validation would fail
	admin = s.SignIn(t, "admin@example.test", "admin-password")
	id, _ := create(t, s, "certificate", map[string]any{"hostname": "127.0.0.1"}, admin)
	status, resp := actionResponses(t, s, "certificate", "generate_acme_certificate", map[string]any{"certificate_id": id, "email": "admin@example.test"}, admin)
	if status != http.StatusOK {
		t.Fatalf("issue: %d %v", status, resp)
	}
	issued(t, s, id, admin)
}
