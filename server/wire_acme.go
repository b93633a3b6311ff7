package server

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations/certs"
	"github.com/apiary/apiary/resource"
)

// acmeEmailKey remembers the account used for renewals.
const acmeEmailKey = "acme.email"

// acmeKeys keeps ACME account keys in _config, encrypted
// (encryption.private_key.<email>, as Daptin).
type acmeKeys struct{ s *Server }

func (k acmeKeys) Load(ctx context.Context, email string) (string, error) {
	v, err := k.s.conf.Get(ctx, resource.ConfigBackend, "encryption.private_key."+email)
	if err != nil || v == "" {
		return "", nil
	}
	return k.s.integ().decrypt(v)
}

func (k acmeKeys) Save(ctx context.Context, email, keyPEM string) error {
	v := keyPEM
	if sec := k.s.integ().secret; sec != "" {
		var err error
		if v, err = auth.Encrypt(sec, keyPEM); err != nil {
			return err
		}
	}
	return k.s.conf.Set(ctx, resource.ConfigBackend, "encryption.private_key."+email, v)
}

func (s *Server) acmeIssuer() *certs.ACME {
	st := s.integ()
	if st.acme == nil {
		c := s.cfg.Integrations
		a, err := s.certManager().NewACME(c.ACMEDirectory, c.ACMEChallenge, c.ACMEClient, acmeKeys{s})
		if err != nil {
			s.log.Error("ACME challenge type refused; answering http-01", "component", "acme", "err", err.Error())
			a, _ = s.certManager().NewACME(c.ACMEDirectory, certs.ChallengeHTTP01, c.ACMEClient, acmeKeys{s})
		}
		st.acme = a
	}
	return st.acme
}

// registerACME adds generate_acme_certificate and the HTTP-01 challenge
// route GET /.well-known/acme-challenge/{token}.
func (s *Server) registerACME(r chi.Router) {
	a := s.acmeIssuer()
	r.Get("/.well-known/acme-challenge/{token}", func(w http.ResponseWriter, r *http.Request) {
		ka, ok := a.ChallengeHandler(chi.URLParam(r, "token"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(ka))
	})
	s.exec.Register(certs.Table, "generate_acme_certificate", func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		email, _ := req.Attributes["email"].(string)
		if len(email) < 4 {
			return nil, actions.Fail(http.StatusBadRequest, "email or mobile missing")
		}
		if _, err := s.res.PrincipalByEmail(ctx, email); err != nil {
			return nil, actions.Fail(http.StatusBadRequest, "invalid email")
		}
		host, _ := req.Subject.Attrs["hostname"].(string)
		if err := a.Issue(ctx, host, email); err != nil {
			return nil, actions.Fail(http.StatusBadGateway, "certificate for %q not issued: %v", host, err)
		}
		if err := s.conf.Set(ctx, resource.ConfigBackend, acmeEmailKey, email); err != nil {
			return nil, err
		}
		return []actions.Response{actions.Notify("message", "Success", "Certificate generated for "+host)}, nil
	})
}

// startACMERenewal re-issues ACME certificates near expiry, every
// ACMECheckEvery, with the account last used.
func (s *Server) startACMERenewal(ctx context.Context) {
	c := s.cfg.Integrations
	if c.ACMECheckEvery <= 0 {
		return
	}
	st := s.integ()
	stop := make(chan struct{})
	st.renew = stop
	a := s.acmeIssuer()
	bg := context.WithoutCancel(ctx)
	go func() {
		t := time.NewTicker(c.ACMECheckEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				email, _ := s.conf.Get(bg, resource.ConfigBackend, acmeEmailKey)
				if email == "" {
					continue
				}
				if n, err := a.RenewDue(bg, email, c.ACMERenewBefore); err != nil {
					s.log.Warn("acme renewal failed", "component", "certs", "renewed", n, "err", err)
				} else if n > 0 {
					s.log.Info("acme certificates renewed", "component", "certs", "renewed", n)
				}
			}
		}
	}()
}
