package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/ftp"
	"github.com/apiary/apiary/resource"
)

// FTP settings in _config (read at start, as Daptin).
const (
	keyFTPEnable    = "ftp.enable"
	keyFTPListen    = "ftp.listen_interface"
	keyFTPPassive   = "ftp.passive_ports"
	keyFTPPublic    = "ftp.public_address"
	keyFTPForceTLS  = "ftp.force_tls"
	keyFTPIdle      = "ftp.idle_timeout"
	keyFTPData      = "ftp.data_timeout"
	defaultFTPAddr  = "0.0.0.0:2121"
	ftpCertValidity = 365 * 24 * time.Hour
)

// ftpListener builds the FTP listener when ftp.enable is "true".
func (s *Server) ftpListener(ctx context.Context) (Listener, error) {
	get := func(k string) string { v, _ := s.conf.Get(ctx, resource.ConfigBackend, k); return v }
	if get(keyFTPEnable) != "true" {
		return nil, nil
	}
	addr := get(keyFTPListen)
	if addr == "" {
		addr = defaultFTPAddr
	}
	cfg, err := s.ftpTLS(ctx)
	if err != nil {
		return nil, err
	}
	idle, err := ftpDuration(get(keyFTPIdle))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyFTPIdle, err)
	}
	data, err := ftpDuration(get(keyFTPData))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyFTPData, err)
	}
	return ftp.New(ftp.Options{IdleTimeout: idle, DataTimeout: data, Res: func() resource.Service { return s.res }, Stores: s.files.stores, Addr: addr,
		PassivePorts: get(keyFTPPassive), PublicIP: get(keyFTPPublic), TLS: cfg, ForceTLS: get(keyFTPForceTLS) == "true",
		Log: s.log.With("component", "ftp")}), nil
}

// ftpDuration reads a timeout: a Go duration ("90s", "5m") or whole
// seconds; "" is 0 (the default).
func ftpDuration(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout %q is not a positive duration", v)
	}
	return d, nil
}

// ftpTLS makes a self-signed certificate for the FTP-enabled sites'
// hostnames (and localhost), for explicit FTPS.
func (s *Server) ftpTLS(ctx context.Context) (*tls.Config, error) {
	names := []string{"localhost"}
	page, err := s.res.List(auth.WithPrincipal(ctx, auth.System()), "site", resource.Query{PageSize: resource.MaxPageSize})
	if err == nil {
		for _, r := range page.Rows {
			if on, _ := r.Attrs["ftp_enabled"].(bool); on {
				if h, _ := r.Attrs["hostname"].(string); h != "" {
					names = append(names, h)
				}
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: names[len(names)-1]}, DNSNames: names,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(ftpCertValidity),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, NextProtos: []string{"ftp"},
		MinVersion: tls.VersionTLS12}, nil
}
