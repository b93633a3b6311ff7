package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/certs"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/databite"
)

// IntegrationsConfig bounds upstream calls and the Databite routes.
type IntegrationsConfig struct {
	ReadPerMinute  int           // Databite reads per minute per address; 0 = unlimited
	WritePerMinute int           // Databite writes and executions per minute per address; 0 = unlimited
	Timeout        time.Duration // one upstream call
	MaxResponse    int64         // bytes of one upstream answer
	// ACMEDirectory is the ACME directory URL; "" means Let's Encrypt.
	ACMEDirectory string
	// ACMERenewBefore renews ACME certificates expiring within it;
	// ACMECheckEvery is how often they are checked.
	ACMERenewBefore, ACMECheckEvery time.Duration
	// ACMEClient talks to the ACME server (tests trust their CA); nil is a default client.
	ACMEClient *http.Client
}

// DefaultIntegrationsConfig returns the seed's rate limits, a 30 s
// upstream timeout and a 10 MiB answer cap.
func DefaultIntegrationsConfig() IntegrationsConfig {
	return IntegrationsConfig{ReadPerMinute: 30, WritePerMinute: 5, Timeout: 30 * time.Second, MaxResponse: 10 << 20,
		ACMERenewBefore: 30 * 24 * time.Hour, ACMECheckEvery: 12 * time.Hour}
}

// integrationsState is the engine of integrations and scheduled tasks.
type integrationsState struct {
	engine  *integrations.Engine
	certs   *certs.Manager
	acme    *certs.ACME
	renew   chan struct{} // closed to stop ACME renewal
	secret  string
	decrypt func(string) (string, error)
}

// integ builds the engine on first use (the router needs it before Start).
func (s *Server) integ() *integrationsState {
	if s.integrations != nil {
		return s.integrations
	}
	secret, _ := s.conf.Get(context.Background(), resource.ConfigBackend, resource.KeyEncryption)
	decrypt := func(v string) (string, error) {
		if secret == "" {
			return v, nil
		}
		return auth.Decrypt(secret, v)
	}
	c := s.cfg.Integrations
	var e *integrations.Engine
	e = integrations.New(integrations.Options{Res: func() resource.Service { return s.res }, Decrypt: decrypt,
		Log: s.log.With("component", "integrations"), Timeout: c.Timeout, MaxResponse: c.MaxResponse, Lease: s.taskLease(),
		BaseURL: func() string {
			if a := s.Addr("http"); a != nil {
				return "http://" + a.String()
			}
			return ""
		},
		Run: func(ctx context.Context, jobType, typ, action string, attrs map[string]any) error {
			if jobType == integrations.JobTypeSync {
				conn, _ := attrs["connection_id"].(string)
				table, _ := attrs["table"].(string)
				input, _ := attrs["input"].(map[string]any)
				_, err := e.Sync(ctx, conn, action, table, input)
				return err
			}
			_, err := s.exec.Execute(ctx, typ, action, attrs)
			return err
		}})
	s.integrations = &integrationsState{engine: e, decrypt: decrypt, secret: secret}
	return s.integrations
}

func (s *Server) databiteDeps() databite.Deps {
	c := s.cfg.Integrations
	return databite.Deps{Engine: s.integ().engine, Res: func() resource.Service { return s.res },
		Log: s.log.With("component", "databite"), MaxBody: s.cfg.HTTP.MaxBodyBytes, Now: s.cfg.Clock,
		Limits: databite.Limits{Read: c.ReadPerMinute, Write: c.WritePerMinute}}
}

// mountDatabite adds the Databite routes to the /api sub-router.
func (s *Server) mountDatabite(r chi.Router) { databite.Mount(r, s.databiteDeps()) }

// mountIntegrations adds /integration/{provider}/... and the
// install_integration action (the executor exists by now).
func (s *Server) mountIntegrations(r chi.Router, act http.Handler) {
	databite.MountIntegration(r, s.databiteDeps())
	ia := s.integrationActions(act)
	r.Post("/action/integration/{action}", ia)
	e := s.integ().engine
	s.exec.Register("integration", "install_integration", func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		p, err := e.Providers.Install(ctx, req.Subject.RefID)
		if err != nil {
			return nil, actions.Fail(http.StatusBadRequest, "%v", err)
		}
		return []actions.Response{actions.Notify("success", "Success", "Integration "+p.Name+" installed")}, nil
	})
	s.registerOAuth(r)
	s.registerCertificateActions()
	s.registerACME(r)
}

// startIntegrations installs enabled integrations and starts the scheduler.
func (s *Server) startIntegrations(ctx context.Context) error {
	if err := s.integ().engine.Start(ctx); err != nil {
		return err
	}
	s.startACMERenewal(ctx)
	return nil
}

// stopIntegrations stops the scheduler and waits for running tasks.
func (s *Server) stopIntegrations() error {
	if s.integrations != nil {
		s.integrations.engine.Stop()
		if s.integrations.certs != nil {
			s.integrations.certs.Stop()
		}
		if s.integrations.renew != nil {
			close(s.integrations.renew)
			s.integrations.renew = nil
		}
	}
	return nil
}

// integrationStatus is the integrations and scheduler part of /api/status:
// counts only, nothing secret.
func (s *Server) integrationStatus() map[string]any {
	e := s.integ().engine
	jobs := e.Scheduler.Jobs()
	active, failing, runs := 0, 0, 0
	for _, j := range jobs {
		if j.Active {
			active++
		}
		if j.Err != "" {
			failing++
		}
		runs += j.Runs
	}
	return map[string]any{
		"integrations": map[string]any{"installed": len(e.Providers.List())},
		"scheduler":    map[string]any{"tasks": len(jobs), "active": active, "failing": failing, "runs": runs},
	}
}

// integrationActions runs an installed operation posted as an action on
// integration (Daptin's POST /action/integration/<operation>, attributes
// as inputs plus oauth_token_id or credential_id); every other action on
// integration (install_integration) goes to the action handler.
func (s *Server) integrationActions(act http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := chi.URLParam(r, "action")
		e := s.integ().engine
		p, ok := e.Providers.FindOperation(name)
		if !ok {
			chi.RouteContext(r.Context()).URLParams.Add("type", "integration")
			act.ServeHTTP(w, r)
			return
		}
		attrs, err := actionAttributes(r, s.cfg.HTTP.MaxBodyBytes)
		var out []actions.Response
		if err == nil {
			sec := integrations.Secrets{}
			sec.OAuthTokenID, _ = attrs["oauth_token_id"].(string)
			sec.CredentialID, _ = attrs["credential_id"].(string)
			for _, k := range []string{"oauth_token_id", "credential_id", "integration_id"} {
				delete(attrs, k)
			}
			var res connector.Result
			if res, err = e.Call(r.Context(), p.Name, name, attrs, sec); err == nil {
				out = []actions.Response{{ResponseType: p.Name, Attributes: res}}
			} else {
				status, msg := databite.StatusOf(err)
				err = actions.Fail(status, "%s", msg)
			}
		}
		status := http.StatusOK
		if err != nil {
			status, out = actions.StatusAndBody(err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	}
}
