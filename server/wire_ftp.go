package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/ftp"
	"github.com/apiary/apiary/resource"
)

// FTP settings in _config (read at start, as Daptin).
const (
	keyFTPEnable   = "ftp.enable"
	keyFTPListen   = "ftp.listen_interface"
	keyFTPPassive  = "ftp.passive_ports"
	keyFTPPublic   = "ftp.public_address"
	keyFTPForceTLS = "ftp.force_tls"
	keyFTPIdle     = "ftp.idle_timeout"
	keyFTPData     = "ftp.data_timeout"
	defaultFTPAddr = "0.0.0.0:2121"
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

// ftpTLS is the explicit FTPS configuration: the certificate comes from
// the certificate table (integrations/certs) at each handshake, so a new or
// renewed certificate is used without a restart. The name is the client's
// SNI when a certificate exists for it, else the first FTP-enabled site's
// hostname (as Daptin), whose self-signed certificate is created if
// missing. Without such a site TLS is unavailable.
func (s *Server) ftpTLS(context.Context) (*tls.Config, error) {
	m := s.certManager()
	get := func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		ctx := hello.Context()
		if hello.ServerName != "" {
			if c, err := m.Certificate(ctx, hello.ServerName); err == nil {
				return c, nil
			}
		}
		host, err := s.firstFTPSite(ctx)
		if err != nil {
			return nil, err
		}
		if c, err := m.Certificate(ctx, host); err == nil {
			return c, nil
		}
		if _, err := m.EnsureSelf(ctx, host, ""); err != nil {
			return nil, fmt.Errorf("ftp: no certificate for %s: %w", host, err)
		}
		return m.Certificate(ctx, host)
	}
	return &tls.Config{GetCertificate: get, NextProtos: []string{"ftp"}, MinVersion: tls.VersionTLS12}, nil
}

// firstFTPSite is the first hostname of the first enabled, FTP-enabled site.
func (s *Server) firstFTPSite(ctx context.Context) (string, error) {
	page, err := s.res.List(auth.WithPrincipal(ctx, auth.System()), "site", resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		return "", err
	}
	for _, r := range page.Rows {
		if !resource.Truthy(r.Attrs["enable"]) || !resource.Truthy(r.Attrs["ftp_enabled"]) {
			continue
		}
		h, _ := r.Attrs["hostname"].(string)
		if h, _, _ = strings.Cut(h, ","); strings.TrimSpace(h) != "" {
			return strings.ToLower(strings.TrimSpace(h)), nil
		}
	}
	return "", errors.New("cannot configure FTP TLS without an enabled site")
}
