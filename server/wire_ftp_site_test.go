package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

func TestFTPListenerFollowsConfig(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	set := func(k, v string) {
		t.Helper()
		if err := s.conf.Set(ctx, resource.ConfigBackend, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if l, err := s.ftpListener(ctx); l != nil || err != nil {
		t.Fatalf("FTP off by default: %v %v", l, err)
	}
	set(keyFTPEnable, "true")
	set(keyFTPListen, "127.0.0.1:0")
	for _, c := range []struct {
		key, value, errHas string
	}{
		{keyFTPIdle, "soon", keyFTPIdle},
		{keyFTPIdle, "-5s", keyFTPIdle},
		{keyFTPData, "0", keyFTPData},
	} {
		set(c.key, c.value)
		if l, err := s.ftpListener(ctx); err == nil || l != nil || !strings.Contains(err.Error(), c.errHas) {
			t.Errorf("%s=%q: %v %v", c.key, c.value, l, err)
		}
		set(c.key, "")
	}
	set(keyFTPIdle, "90")
	set(keyFTPData, "30s")
	if l, err := s.ftpListener(ctx); err != nil || l == nil {
		t.Fatalf("enabled FTP: %v %v", l, err)
	}
}

func TestFTPSiteAndCertificate(t *testing.T) {
	s := unitServer(t, nil)
	ctx := context.Background()
	sys := auth.WithPrincipal(ctx, auth.System())
	if _, err := s.firstFTPSite(ctx); err == nil {
		t.Fatal("a server without sites found an FTP site")
	}
	cfg, err := s.ftpTLS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handshake(cfg, ""); err == nil {
		t.Error("a certificate without any FTP site")
	}
	for _, a := range []map[string]any{
		{"name": "off", "hostname": "off.example.test", "path": "off", "enable": true, "ftp_enabled": false},
		{"name": "disabled", "hostname": "disabled.example.test", "path": "dis", "enable": false, "ftp_enabled": true},
		{"name": "ftp", "hostname": " Files.Example.TEST , other.example.test", "path": "ftp", "enable": true, "ftp_enabled": true},
	} {
		if _, err := s.res.Create(sys, "site", resource.Input{Attributes: a}); err != nil {
			t.Fatal(err)
		}
	}
	host, err := s.firstFTPSite(ctx)
	if err != nil || host != "files.example.test" {
		t.Fatalf("first FTP site = %q, %v", host, err)
	}
	cert, err := handshake(cfg, "unknown.example.test")
	if err != nil || cert.VerifyHostname("files.example.test") != nil {
		t.Fatalf("certificate for the FTP site: %v", err)
	}
	again, err := handshake(cfg, "")
	if err != nil || !again.Equal(cert) {
		t.Errorf("the self-signed certificate was not kept: %v", err)
	}
	if cfg.MinVersion != tls.VersionTLS12 || len(cfg.NextProtos) != 1 || cfg.NextProtos[0] != "ftp" {
		t.Errorf("TLS config %+v", cfg)
	}
}

// handshake runs a TLS handshake against cfg over a pipe and returns the
// certificate the server presented.
func handshake(cfg *tls.Config, serverName string) (*x509.Certificate, error) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	srv := tls.Server(a, cfg)
	go func() { _ = srv.Handshake(); _ = srv.Close() }()
	cl := tls.Client(b, &tls.Config{ServerName: serverName, InsecureSkipVerify: true, NextProtos: []string{"ftp"}}) //nolint:gosec // reads the presented certificate only
	if err := cl.Handshake(); err != nil {
		return nil, err
	}
	return cl.ConnectionState().PeerCertificates[0], nil
}
