package server

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/integrations/certs"
	"github.com/apiary/apiary/resource"
)

// httpsListener serves the handler over TLS with certificates chosen by
// SNI from the certificate table (contract sidecars.md §11.4).
type httpsListener struct {
	*httpListener
	cfg *tls.Config
}

func (l *httpsListener) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return fmt.Errorf("%s listener cannot bind %s: %w", l.name, l.addr, err)
	}
	l.ln = ln
	go func() {
		if err := l.srv.Serve(tls.NewListener(ln, l.cfg)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.log.Error("listener stopped", "name", l.name, "err", err)
		}
	}()
	return nil
}

// certManager builds the certificate manager on first use.
func (s *Server) certManager() *certs.Manager {
	st := s.integ()
	if st.certs == nil {
		st.certs = certs.NewManager(func() resource.Service { return s.res }, st.decrypt, s.cfg.Clock)
		st.certs.Follow()
	}
	return st.certs
}

// httpsListeners returns the HTTPS listener when _config enable_https is
// "true" (read once at start, as Daptin).
func (s *Server) httpsListeners(ctx context.Context) []Listener {
	v, _ := s.conf.Get(ctx, resource.ConfigBackend, "enable_https")
	if v != "true" {
		return nil
	}
	l := newHTTPListener("https", s.cfg.HTTP.HTTPSAddr, s.handler, s.log)
	applyTimeouts(l.srv, s.cfg.HTTP.Timeouts) // the same slow-client limits as HTTP
	return []Listener{&httpsListener{httpListener: l, cfg: s.certManager().TLSConfig()}}
}

// registerCertificateActions adds generate_self_certificate and the
// certificate and public key downloads.
func (s *Server) registerCertificateActions() {
	m := s.certManager()
	s.exec.Register(certs.Table, "generate_self_certificate", func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		host, _ := req.Subject.Attrs["hostname"].(string)
		keyType, _ := req.Attributes["key_type"].(string)
		if _, err := m.EnsureSelf(ctx, host, keyType); err != nil {
			return nil, actions.Fail(http.StatusBadRequest, "certificate for %q not generated: %v", host, err)
		}
		return []actions.Response{actions.Notify("message", "Success", "Certificate generated for "+host)}, nil
	})
	download := func(column, suffix, what string) actions.Performer {
		return func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
			host, _ := req.Subject.Attrs["hostname"].(string)
			content, _ := req.Subject.Attrs[column].(string)
			if content == "" {
				return nil, actions.Fail(http.StatusNotFound, "no certificate generated for %q yet", host)
			}
			return []actions.Response{{ResponseType: "client.file.download", Attributes: map[string]any{
				"content": base64.StdEncoding.EncodeToString([]byte(content)), "name": host + suffix,
				"contentType": "application/x-x509-ca-cert", "message": what + " for " + host}}}, nil
		}
	}
	s.exec.Register(certs.Table, "download_certificate", download("certificate_pem", ".pem.crt", "Certificate"))
	s.exec.Register(certs.Table, "download_public_key", download("public_key_pem", ".pem.key.pub", "Public Key"))
}
