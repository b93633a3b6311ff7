package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/dav"
	"github.com/apiary/apiary/resource"
)

// davMethods are the WebDAV, CalDAV and CardDAV verbs chi must know.
var davMethods = []string{"PROPFIND", "PROPPATCH", "REPORT", "MKCOL", "MKCALENDAR", "COPY", "MOVE", "LOCK", "UNLOCK"}

func init() {
	// chi answers 405 to verbs it does not know; registering mutates chi's
	// own table, so it happens once, before any router is built.
	for _, m := range davMethods {
		chi.RegisterMethod(m)
	}
}

// mountDAV routes /caldav, /carddav and /.well-known/caldav|carddav to the
// dav handler. It answers 404 unless caldav.enable is on (the _config key,
// applied live) or -caldav_enable was given.
func (s *Server) mountDAV(r chi.Router) {
	h := dav.New(dav.Deps{Res: func() resource.Service { return s.res }, Enabled: s.davOn.Load,
		Log: s.log.With("component", "dav"), MaxBody: s.cfg.HTTP.MaxBodyBytes})
	s.res.Subscribe(h.OnChange)
	methods := append([]string{http.MethodOptions, http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete,
		http.MethodPost}, davMethods...)
	for _, m := range methods {
		for _, p := range []string{"/caldav", "/caldav/*", "/carddav", "/carddav/*"} {
			r.Method(m, p, h)
		}
	}
	for _, p := range []string{"/.well-known/caldav", "/.well-known/carddav"} {
		r.Method(http.MethodGet, p, h)
		r.Method("PROPFIND", p, h)
	}
}

// reloadDAV applies caldav.enable from the _config values.
func (s *Server) reloadDAV(all map[string]string) {
	s.davOn.Store(s.cfg.CalDAV || all[dav.ConfigKey] == "true")
}
