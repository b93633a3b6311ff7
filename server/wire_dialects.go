package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/daybed"
	"github.com/apiary/apiary/server/dexie"
)

// mountDialects registers the other REST dialects (issue 21): Dexie Cloud
// (/all, /my, /public, /users) and Daybed (/v1/...), thin layers over the
// resource layer.
func (s *Server) mountDialects(r chi.Router) {
	res := func() resource.Service { return s.res }
	dexie.Mount(r, dexie.Deps{Res: res, Log: s.log.With("component", "dexie"), MaxBody: s.cfg.HTTP.MaxBodyBytes})
	daybed.Mount(r, daybed.Deps{Res: res, Secret: s.dialectSecret("daybed"), SchemaDir: s.cfg.SchemaDir, Reload: s.Reload,
		SignupOpen: func(ctx context.Context) bool {
			v, err := s.conf.Get(ctx, resource.ConfigBackend, resource.KeySignupEnabled)
			return err != nil || v != "false"
		},
		AccountLimiter: s.attempts, AddressLimiter: s.addrAttempts, Now: s.cfg.Clock, Log: s.log.With("component", "daybed"), MaxBody: s.cfg.HTTP.MaxBodyBytes})
}

// dialectSecret derives a per-dialect key from the JWT secret, so it is
// stable across restarts and never the JWT key itself.
func (s *Server) dialectSecret(name string) []byte {
	secret, _ := s.conf.Get(context.Background(), resource.ConfigBackend, resource.KeyJWTSecret)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("apiary dialect key: " + name))
	return m.Sum(nil)
}
