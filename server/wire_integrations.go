package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/certs"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/integrations/scheduler"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/databite"
	"github.com/apiary/apiary/storage/cluster"
)

// IntegrationsConfig bounds upstream calls and the Databite routes.
type IntegrationsConfig struct {
	ReadPerMinute  int           // Databite reads per minute per address; 0 = unlimited
	WritePerMinute int           // Databite writes and executions per minute per address; 0 = unlimited
	Timeout        time.Duration // one upstream call
	MaxResponse    int64         // bytes of one upstream answer
	// ACMEDirectory is the ACME directory URL; "" means Let's Encrypt.
	ACMEDirectory string
	// ACMEChallenge is the challenge answered: "http-01" ("") on the HTTP
	// listener, or "tls-alpn-01" on the HTTPS listener.
	ACMEChallenge string
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
	ops     map[string]bool // operation actions in the live schema (reloadMu)
	peers   *cluster.Acked  // tells the other nodes to reload an integration; nil on one node
	unsub   func()          // stops announcing integration row changes
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
		Log: s.log.With("component", "integrations"), Timeout: c.Timeout, MaxResponse: c.MaxResponse, Claim: s.taskClaim(),
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
	e.Providers.OnChange(func() { s.applyOperations(context.Background()) })
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
func (s *Server) mountIntegrations(r chi.Router, _ http.Handler) {
	databite.MountIntegration(r, s.databiteDeps())
	e := s.integ().engine
	s.exec.SetDynamic(opActions{e})
	s.exec.Register("integration", "install_integration", func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		p, err := e.Providers.Install(ctx, req.Subject.RefID)
		if err != nil {
			return nil, actions.Fail(http.StatusBadRequest, "%v", err)
		}
		s.announceIntegration(ctx, req.Subject.RefID)
		return []actions.Response{actions.Notify("success", "Success", "Integration "+p.Name+" installed")}, nil
	})
	s.registerOAuth(r)
	s.registerCertificateActions()
	s.registerACME(r)
}

// startIntegrations installs enabled integrations and starts the scheduler.
func (s *Server) startIntegrations(ctx context.Context) error {
	s.followIntegrations()
	if err := s.integ().engine.Start(ctx); err != nil {
		return err
	}
	if err := s.seedStreams(ctx); err != nil {
		s.log.ErrorContext(ctx, "stream rows not written", "component", "streams", "err", err)
	}
	s.startACMERenewal(ctx)
	return nil
}

// stopIntegrations stops the scheduler and waits for running tasks.
func (s *Server) stopIntegrations() error {
	if s.integrations != nil {
		s.integrations.engine.Stop()
		if s.integrations.unsub != nil {
			s.integrations.unsub()
		}
		if s.integrations.peers != nil {
			s.integrations.peers.Close()
		}
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

// integrationsChannel carries the reference ids of integration rows that
// changed on one node to the others, which install them again (or remove
// them) without a restart: other nodes' row writes publish no change
// event here.
const integrationsChannel = "apiary.integrations"

// followIntegrations announces every local write of an integration row
// and, in a cluster, applies the other nodes' announcements.
func (s *Server) followIntegrations() {
	st := s.integ()
	if s.peers != nil && s.cluster != nil {
		st.peers = cluster.NewAcked(s.cluster, integrationsChannel, func(b []byte) {
			var ref string
			if json.Unmarshal(b, &ref) == nil && ref != "" {
				st.engine.Providers.Reload(context.Background(), ref, false)
			}
		})
	}
	if s.peers != nil {
		// Other nodes' task writes publish no change event here: read the
		// task table again when their commits touched it.
		s.peers.onRemote(func(tables []string) {
			if len(tables) == 0 || slices.Contains(tables, scheduler.TaskTable) {
				st.engine.Scheduler.Resync()
			}
		})
	}
	st.unsub = s.res.Subscribe(func(c resource.Change) {
		if c.Table == connector.IntegrationTable {
			go s.announceIntegration(context.Background(), c.RefID)
		}
	})
}

// announceIntegration tells the other nodes to reload integration ref
// and waits until they have (bounded).
func (s *Server) announceIntegration(ctx context.Context, ref string) {
	st := s.integ()
	if st.peers == nil {
		return
	}
	b, _ := json.Marshal(ref)
	if _, err := st.peers.Send(context.WithoutCancel(ctx), b, invalidationWait); err != nil {
		s.log.Warn("integration change not announced", "component", "integrations", "integration_id", ref, "err", err.Error())
	}
}

// beforeWrite runs the data exchanges' before hooks; none until the
// engine is built.
func (s *Server) beforeWrite(ctx context.Context, w resource.Write) error {
	if s.integrations == nil {
		return nil
	}
	return s.integrations.engine.Exchanges.Before(ctx, w)
}
