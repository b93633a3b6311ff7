package dexie

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Scopes a Dexie token may carry (they are granted by POST /token).
const (
	ScopeAccessDB    = "ACCESS_DB"
	ScopeGlobalRead  = resource.ScopeGlobalRead
	ScopeGlobalWrite = resource.ScopeGlobalWrite
)

// PublicRealm is the realm whose objects guests may read.
const PublicRealm = "rlm-public"

// maxBody limits a POST body when Deps.MaxBody is zero.
const maxBody = 8 << 20

// Deps is what the Dexie handlers need.
type Deps struct {
	// Res returns the live resource layer; it is called once per request.
	Res func() resource.Service
	// Log receives internal errors; nil means slog.Default().
	Log *slog.Logger
	// MaxBody limits request bodies in bytes; 0 means 8 MiB.
	MaxBody int64
}

// mode is one of the three data endpoints.
type mode int

const (
	modeAll mode = iota + 1
	modeMy
	modePublic
)

// Mount registers /all, /my, /public and /users on r (absolute paths:
// mount it on the root router).
func Mount(r chi.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.MaxBody <= 0 {
		d.MaxBody = maxBody
	}
	for prefix, m := range map[string]mode{"/all": modeAll, "/my": modeMy, "/public": modePublic} {
		r.Get(prefix+"/{table}", d.handle(m, d.list))
		r.Get(prefix+"/{table}/{key}", d.handle(m, d.get))
		r.Post(prefix+"/{table}", d.handle(m, d.post))
		r.Delete(prefix+"/{table}/{key}", d.handle(m, d.del))
	}
	r.Get("/users", d.users(d.listUsers))
	r.Post("/users", d.users(d.postUsers))
	r.Get("/users/{user}", d.users(d.getUser))
	r.Delete("/users/{user}", d.users(d.deleteUser))
}

// call is one request on a data endpoint, after the access check.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	ctx  context.Context // carries the principal to act as
	p    auth.Principal  // the token's principal (scopes intact)
	mode mode
	res  resource.Service
}

// handle wraps a data handler with the scope check of its mode.
func (d Deps) handle(m mode, fn func(c *call) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		write := r.Method != http.MethodGet && r.Method != http.MethodHead
		ctx, p, err := access(r.Context(), m, write)
		if err != nil {
			writeError(w, r, d.Log, err)
			return
		}
		c := &call{w: w, r: r, ctx: ctx, p: p, mode: m, res: d.Res()}
		if err := fn(c); err != nil {
			writeError(w, r, d.Log, err)
		}
	}
}

// access checks the caller's scopes for a mode and returns the context to
// act with: guests for public reads, the user without global scopes for
// /my, the token's principal for the rest.
func access(ctx context.Context, m mode, write bool) (context.Context, auth.Principal, error) {
	p := auth.PrincipalFrom(ctx)
	if m == modePublic && !write {
		return auth.WithPrincipal(ctx, auth.Guest()), p, nil
	}
	if p.IsGuest() && len(p.Scopes) == 0 {
		return nil, p, &apiError{http.StatusUnauthorized, codeUnauthorized, "a Bearer token from POST /token is required"}
	}
	if !p.HasScope(ScopeAccessDB) {
		return nil, p, forbidden("the token lacks the ACCESS_DB scope")
	}
	switch m {
	case modeAll:
		need := ScopeGlobalRead
		if write {
			need = ScopeGlobalWrite
		}
		if !p.HasScope(need) {
			return nil, p, forbidden("/all needs the ACCESS_DB and " + need + " scopes")
		}
	case modePublic:
		if !p.HasScope(ScopeGlobalWrite) {
			return nil, p, forbidden("writing to /public needs the ACCESS_DB and GLOBAL_WRITE scopes")
		}
	case modeMy:
		if p.UserID == 0 {
			return nil, p, forbidden("/my needs a token issued for a user (claims); this token names no user")
		}
		own := p
		own.Scopes = slices.DeleteFunc(slices.Clone(p.Scopes), func(s string) bool { return s == ScopeGlobalRead || s == ScopeGlobalWrite })
		return auth.WithPrincipal(ctx, own), p, nil
	}
	return ctx, p, nil
}

// pathParam returns a decoded path parameter (chi matches on the raw,
// still-encoded path when the URL has one).
func pathParam(r *http.Request, name string) (string, error) {
	v := chi.URLParam(r, name)
	if r.URL.RawPath == "" {
		return v, nil
	}
	s, err := url.PathUnescape(v)
	if err != nil {
		return "", badRequest("the " + name + " in the path is not URL-encoded correctly")
	}
	return s, nil
}
