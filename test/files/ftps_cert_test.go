package files

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// pyPeerCert prints the certificates (base64 DER) the server presents on
// the control connection and on a PROT P data connection.
const pyPeerCert = `
import ftplib, ssl, sys, base64, io
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
f = ftplib.FTP_TLS(context=ctx, timeout=20); f.connect(sys.argv[1], int(sys.argv[2]))
f.auth(); print("CTRL", base64.b64encode(f.sock.getpeercert(True)).decode())
f.login(sys.argv[3], sys.argv[4]); f.prot_p()
conn = f.transfercmd("RETR /files.test/index.html")
print("DATA", base64.b64encode(conn.getpeercert(True)).decode())
body = conn.recv(1000); conn.unwrap(); conn.close(); f.voidresp()
print("BODY", body.decode()); f.quit()
`

// servedCerts returns the DER certificates (base64) of the control and
// data connections.
func servedCerts(t *testing.T, addr string) (ctrl, data string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command(needTool(t, "python3"), "-c", pyPeerCert, host, port, "admin@example.test", "admin-password").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "BODY <p>ftp site</p>") {
		t.Fatalf("python FTP_TLS: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "CTRL "); ok {
			ctrl = v
		}
		if v, ok := strings.CutPrefix(line, "DATA "); ok {
			data = v
		}
	}
	return ctrl, data
}

// certRow returns the id and certificate (base64 DER) of the certificate
// row of a hostname.
func certRow(t *testing.T, s *testserver.Server, tok, host string) (string, string) {
	t.Helper()
	r := s.Do(t, http.MethodGet, "/api/certificate?page[size]=100", nil, tok)
	var list struct {
		Data []struct {
			ID         string         `json:"id"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("certificates: %v %s", err, r.Body)
	}
	for _, c := range list.Data {
		if c.Attributes["hostname"] == host {
			b, _ := pem.Decode([]byte(toString(c.Attributes["certificate_pem"])))
			if b == nil {
				t.Fatalf("certificate row of %s has no PEM", host)
			}
			return c.ID, base64.StdEncoding.EncodeToString(b.Bytes)
		}
	}
	t.Fatalf("no certificate row for %s", host)
	return "", ""
}

// TestFTPSCertificateFromTable: explicit FTPS presents the certificate row
// of the FTP site's hostname on control and data connections, and a
// replaced row is presented on the next connection without a restart.
func TestFTPSCertificateFromTable(t *testing.T) {
	s, tok, addr := ftpServer(t, nil)
	ftpSite(t, s, tok)
	ctrl, data := servedCerts(t, addr)
	id, want := certRow(t, s, tok, "files.test")
	if ctrl != want || data != want {
		t.Fatalf("served certificates differ from the files.test row:\nrow  %s\nctrl %s\ndata %s", want, ctrl, data)
	}

	// Replace the row's certificate with one made here.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(4242), Subject: pkix.Name{CommonName: "files.test"}, DNSNames: []string{"files.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	if r := s.Do(t, http.MethodPatch, "/api/certificate/"+id, patchDoc("certificate", id, map[string]any{
		"certificate_pem": certPEM, "root_certificate": certPEM, "private_key_pem": keyPEM}), tok); r.Status != 200 {
		t.Fatalf("replace certificate: %d %s", r.Status, r.Body)
	}
	ctrl, data = servedCerts(t, addr)
	if want := base64.StdEncoding.EncodeToString(der); ctrl != want || data != want {
		t.Fatalf("the replaced certificate is not served:\nwant %s\nctrl %s\ndata %s", want, ctrl, data)
	}
}
