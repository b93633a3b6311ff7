package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/aggregate"
	"github.com/apiary/apiary/server/configapi"
	"github.com/apiary/apiary/server/discovery"
	"github.com/apiary/apiary/server/feed"
	"github.com/apiary/apiary/server/graphql"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/server/httpmw"
	"github.com/apiary/apiary/server/jsonapi"
	"github.com/apiary/apiary/server/openapi"
	"github.com/apiary/apiary/server/respcache"
	"github.com/apiary/apiary/server/tokenapi"
)

// router lists every middleware and route group in one place.
func (s *Server) router() chi.Router {
	r := chi.NewRouter()
	m := discovery.NewMetrics()
	cache := respcache.New(-1)
	if s.cfg.HTTP.ReadCacheMB > 0 {
		cache = respcache.New(int64(s.cfg.HTTP.ReadCacheMB) << 20)
	}
	s.res.Subscribe(m.ObserveChange)
	work := httpmw.NewWork(s.activeRequests(), workMaxWait)
	r.Use(requestID(), middleware.GetHead, m.Middleware, s.logRequests, s.recoverer, httpmw.SecurityHeaders, httpmw.CORS(s.live),
		s.rateLimit(), s.slots.Middleware, httpmw.Gzip(s.live), s.authenticate, s.siteSwitch)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		httperr.Write(w, r, s.log, httperr.New(http.StatusNotFound, "not found", "no route for "+r.Method+" "+r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		httperr.Write(w, r, s.log, httperr.New(http.StatusMethodNotAllowed, "method not allowed", r.Method+" is not allowed on "+r.URL.Path))
	})
	r.Get("/ping", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("pong"))
	})
	act := s.actionHandler()
	r.Route("/api", func(r chi.Router) {
		for _, m := range actionMethods {
			r.Method(m, "/{type}/action/{action}", act)
		}
		s.mountDatabite(r) // static /api/connectors, ... win over /api/{type}
		r.Group(func(r chi.Router) {
			r.Use(s.streams, work.Middleware) // wire_streams.go: /api/{stream}
			jsonapi.Mount(r, jsonapi.Deps{Res: func() resource.Service { return s.res }, Log: s.log, MaxBody: s.cfg.HTTP.MaxBodyBytes,
				Cache: cache})
		})
	})
	for _, m := range actionMethods {
		r.Method(m, "/action/{type}/{action}", act)
	}
	r.Get("/actions", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(s.exec.GuestActions())
	})
	s.mountTrack(r)
	s.mountFiles(r)
	s.mountIntegrations(r, act)
	openapi.Mount(r, s.schema.Load, s.log.With("component", "openapi"))
	discovery.Mount(r, discovery.Deps{Res: func() resource.Service { return s.res }, Schema: s.schema.Load, DBStats: s.db.Stats,
		DBType: s.cfg.DB.Type, Started: func() time.Time { return s.started }, Metrics: m, Log: s.log.With("component", "discovery"),
		StatusSections: s.integrationStatus,
		Cluster:        s.clusterStatus})
	feed.Mount(r, func() resource.Service { return s.res }, s.log.With("component", "feed"), s.streamEval)
	configapi.Mount(r, s.conf, s.log.With("component", "configapi"), s.configChanged)
	r.Group(func(r chi.Router) {
		r.Use(work.Middleware)
		aggregate.Mount(r, func() resource.Service { return s.res }, s.log.With("component", "aggregate"), cache)
	})
	tokenapi.Mount(r, tokenapi.Deps{Res: func() resource.Service { return s.res }, Issuer: s.issuer, Log: s.log.With("component", "tokenapi")})
	s.mountDialects(r)
	gql := graphql.New(graphql.Deps{Res: func() resource.Service { return s.res }, Enabled: s.gqlOn.Load,
		Log: s.log.With("component", "graphql"), MaxBody: s.cfg.HTTP.MaxBodyBytes, Limits: s.cfg.GraphQLLimits,
		Exec: func(ctx context.Context, typ, name string, attrs map[string]any) (any, error) {
			return s.exec.Execute(ctx, typ, name, attrs)
		}})
	r.Method(http.MethodGet, "/graphql", gql)
	s.mountDAV(r)
	r.Method(http.MethodPost, "/graphql", gql)
	return r
}

// recoverer turns a panic into a logged 500 JSON error.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in handler", "panic", v, "stack", string(debug.Stack()), "request_id", middleware.GetReqID(r.Context()))
				httperr.Write(w, r, s.log, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs one debug line per request. With debug logging off
// (the level is asked per request, so a level changed at run time counts)
// it neither wraps the writer nor builds the line.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		t0 := time.Now()
		next.ServeHTTP(ww, r)
		s.log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
			"bytes", ww.BytesWritten(), "ms", float64(time.Since(t0).Microseconds())/1000, "request_id", middleware.GetReqID(r.Context()))
	})
}

// authenticate puts the caller's Principal on the context. No token, or a
// value that is not a JWT at all ("Bearer null"), means guest; a JWT that
// fails is a guest only on actions guests may run, else a 401 (tokenFailed).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := auth.TokenFromRequest(r)
		if !looksLikeJWT(tok) {
			next.ServeHTTP(w, r)
			return
		}
		claims, err := s.issuer.Verify(tok)
		if err != nil {
			s.tokenFailed(w, r, next, err.Error())
			return
		}
		p, err := resource.PrincipalFromClaims(r.Context(), s.res, claims)
		if err != nil {
			s.tokenFailed(w, r, next, err.Error())
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// workMaxWait is how long a JSON:API request waits for a worker slot
// before it runs without one (httpmw.Work).
const workMaxWait = 100 * time.Millisecond

// activeRequests is the bound of httpmw.Work: configured, or per core by
// the database: SQLite's queries run on this machine's cores, a network
// database's handlers spend part of their time waiting for it.
func (s *Server) activeRequests() int {
	if n := s.cfg.HTTP.ActiveRequests; n != 0 {
		return n
	}
	per := 16
	if s.db.Dialect.InProcess() {
		per = 4
	}
	return per * runtime.GOMAXPROCS(0)
}
