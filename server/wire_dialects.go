package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/dexie"
)

// mountDialects registers the other REST dialects (issue 21): Dexie Cloud
// (/all, /my, /public, /users) and Daybed (/v1/...), thin layers over the
// resource layer.
func (s *Server) mountDialects(r chi.Router) {
	res := func() resource.Service { return s.res }
	dexie.Mount(r, dexie.Deps{Res: res, Log: s.log.With("component", "dexie"), MaxBody: s.cfg.HTTP.MaxBodyBytes})
}
