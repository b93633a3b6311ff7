package server

import (
	"context"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httpmw"
)

// reloadSettings reads the HTTP settings from _config and makes them live.
// A bad value keeps its safe default and is logged.
func (s *Server) reloadSettings(ctx context.Context) { s.applySettings(ctx, s.conf) }

// applySettings is reloadSettings reading from conf (start-up reads
// through the writer connection).
func (s *Server) applySettings(ctx context.Context, conf *resource.ConfigStore) {
	all, err := conf.All(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "config not readable; keeping HTTP settings", "err", err)
		return
	}
	v, has := all[resource.KeyGraphQL]
	sc := s.schema.Load()
	s.gqlOn.Store(v == "true" || (!has && sc.EnableGraphQL != nil && *sc.EnableGraphQL))
	s.reloadDAV(all)
	st, err := httpmw.ParseSettings(func(name string) (string, bool) { v, ok := all[name]; return v, ok })
	if err != nil {
		s.log.WarnContext(ctx, "bad HTTP setting in _config; using its default", "err", err)
	}
	if s.live == nil {
		s.live = httpmw.NewLive(st)
		return
	}
	s.live.Store(st)
}

// configChanged applies a _config change without a restart.
func (s *Server) configChanged(key string) {
	s.reloadSettings(context.Background())
	s.mailConfigChanged(key)
	s.log.Info("config changed", "key", key)
	s.announceConfig(key)
}

// ReloadConfig re-reads the live settings from _config (the config API calls
// this after every write; restart_daptin will too).
func (s *Server) ReloadConfig(ctx context.Context) { s.reloadSettings(ctx) }
