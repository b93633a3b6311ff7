package server

import (
	"context"

	"github.com/apiary/apiary/integrations/scheduler"
	"github.com/apiary/apiary/resource"
)

// integrationsState is the engine of integrations and scheduled tasks.
type integrationsState struct {
	sched *scheduler.Scheduler
}

// integ builds the engine on first use (the router needs it before Start).
func (s *Server) integ() *integrationsState {
	if s.integrations != nil {
		return s.integrations
	}
	st := &integrationsState{}
	st.sched = scheduler.New(scheduler.Options{Res: func() resource.Service { return s.res },
		Log: s.log.With("component", "scheduler"),
		Run: func(ctx context.Context, typ, action string, attrs map[string]any) error {
			_, err := s.exec.Execute(ctx, typ, action, attrs)
			return err
		}})
	s.integrations = st
	return st
}

// startIntegrations loads scheduled tasks and starts the clock.
func (s *Server) startIntegrations(ctx context.Context) error {
	return s.integ().sched.Start(ctx)
}

// stopIntegrations stops the scheduler and waits for running tasks.
func (s *Server) stopIntegrations() error {
	if s.integrations == nil {
		return nil
	}
	s.integrations.sched.Stop()
	return nil
}
