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
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	pebbledb "github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"

	"github.com/apiary/apiary/server"
	"github.com/apiary/apiary/test/testserver"
)

// ACME issuance with an HTTP-01 challenge against an in-process pebble,
// then automatic renewal (the test's renewal window covers any expiry).
func TestACMEIssueAndRenewAgainstPebble(t *testing.T) {
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	var handler http.Handler = http.NotFoundHandler()
	acmeSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer acmeSrv.Close()

	s := testserver.Start(t, testserver.WithConfig(func(c *server.Config) {
		c.Integrations.ACMEDirectory = acmeSrv.URL + wfe.DirectoryPath
		c.Integrations.ACMEClient = acmeSrv.Client()
		c.Integrations.ACMERenewBefore = 100 * 365 * 24 * time.Hour
		c.Integrations.ACMECheckEvery = time.Second
	}))
	_, portStr, _ := net.SplitHostPort(s.Srv.Addr("http").String())
	port, _ := strconv.Atoi(portStr)
	logger := log.New(io.Discard, "", 0)
	store := pebbledb.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(logger, port, 0, false, "", store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	handler = front.Handler()

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
	row := attrsOf(t, s.Do(t, http.MethodGet, "/api/certificate/"+id, nil, admin))
	first, _ := row["certificate_pem"].(string)
	b, _ := pem.Decode([]byte(first))
	if row["issuer"] != "acme" || b == nil {
		t.Fatalf("row after issue: %v", row)
	}
	leaf, err := x509.ParseCertificate(b.Bytes)
	if err != nil || leaf.Issuer.String() == leaf.Subject.String() || len(leaf.IPAddresses) != 1 {
		t.Fatalf("issued certificate: %v %v", leaf, err)
	}
	waitFor(t, 20*time.Second, "a renewed certificate", func() bool {
		cur, _ := attrsOf(t, s.Do(t, http.MethodGet, "/api/certificate/"+id, nil, admin))["certificate_pem"].(string)
		return cur != "" && cur != first
	})
}
