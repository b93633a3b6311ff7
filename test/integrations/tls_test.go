package integrations

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/storage/db/dbtest"
	"github.com/apiary/apiary/test/testserver"
)

// certFor creates a certificate row and generates its self-signed
// certificate, returning the downloaded PEM.
func certFor(t *testing.T, s *testserver.Server, host, keyType, admin string) []byte {
	t.Helper()
	id, _ := create(t, s, "certificate", map[string]any{"hostname": host}, admin)
	status, resp := actionResponses(t, s, "certificate", "generate_self_certificate", map[string]any{"certificate_id": id, "key_type": keyType}, admin)
	if status != http.StatusOK || !strings.Contains(resp["client.notify"]["message"].(string), host) {
		t.Fatalf("generate %s: %d %v", host, status, resp)
	}
	status, resp = actionResponses(t, s, "certificate", "download_certificate", map[string]any{"certificate_id": id}, admin)
	if status != http.StatusOK || resp["client.file.download"]["name"] != host+".pem.crt" {
		t.Fatalf("download %s: %d %v", host, status, resp)
	}
	pem, _ := base64.StdEncoding.DecodeString(resp["client.file.download"]["content"].(string))
	return pem
}

// handshake dials the HTTPS listener with SNI name and returns the leaf
// certificate's common name.
func handshake(addr, name string) (string, error) {
	c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: name, InsecureSkipVerify: true})
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName, nil
}

// HTTPS with SNI over two hostnames (RSA and ECDSA), a third added while
// the server runs, verified against the downloaded certificate.
func TestHTTPSWithSNIAndLiveCertificates(t *testing.T) {
	dir := t.TempDir()
	typ, dsn := dbtest.NewDSN(t)
	cfg := testserver.WithConfig(func(c *server.Config) { c.HTTP.HTTPSAddr = "127.0.0.1:0" })
	s := testserver.Start(t, testserver.WithDatabase(dir, typ, dsn), cfg)
	admin := s.Admin(t)
	if r := s.Do(t, http.MethodPost, "/_config/backend/enable_https", "true", admin); r.Status != http.StatusOK {
		t.Fatalf("enable_https: %d %s", r.Status, r.Body)
	}
	onePEM := certFor(t, s, "one.test", "rsa", admin)
	certFor(t, s, "two.test,127.0.0.1", "ecdsa", admin)
	if s.Srv.Addr("https") != nil {
		t.Fatal("HTTPS started before enable_https was read at start")
	}
	_ = s.Srv.Close()

	s = testserver.Start(t, testserver.WithDatabase(dir, typ, dsn), cfg)
	addr := s.Srv.Addr("https").String()
	for _, name := range []string{"one.test", "two.test"} {
		if cn, err := handshake(addr, name); err != nil || cn != name {
			t.Errorf("SNI %s: cn %q, %v", name, cn, err)
		}
	}
	if _, err := handshake(addr, "unknown.test"); err == nil {
		t.Error("an unknown hostname got a certificate")
	}
	admin = s.SignIn(t, "admin@example.test", "admin-password")
	certFor(t, s, "three.test", "ecdsa", admin)
	if cn, err := handshake(addr, "three.test"); err != nil || cn != "three.test" {
		t.Errorf("certificate added while running: cn %q, %v", cn, err)
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(onePEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "one.test"}}}
	resp, err := client.Get("https://" + addr + "/ping")
	if err != nil {
		t.Fatalf("verified HTTPS: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "pong" {
		t.Errorf("HTTPS /ping: %s", body)
	}
}
