package dav

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
)

// Realm is the HTTP Basic realm of the WWW-Authenticate challenge.
const Realm = "caldav"

// ConfigKey is the _config key (backend section) that switches DAV on.
const ConfigKey = "caldav.enable"

// Deps is what the handler needs from the server.
type Deps struct {
	// Res returns the live resource layer.
	Res func() resource.Service
	// Enabled reports whether caldav.enable is on; when off every DAV path
	// answers 404.
	Enabled func() bool
	Log     *slog.Logger
	// MaxBody bounds PUT bodies in bytes.
	MaxBody int64
}

// Handler serves /caldav, /carddav and the /.well-known redirects.
type Handler struct {
	d     Deps
	mu    sync.Mutex
	basic map[[32]byte]basicEntry // recent Basic credentials → email
	// states caches collection sync states between changes.
	states stateCache
	// follow serializes the follow-up writes OnChange starts, so the last
	// one to run reads (and writes) the latest state.
	follow sync.Mutex
	// marks are the objects DAV deletes (and tombstones) itself.
	marks deleteMarks
	// locks are the WebDAV write locks (RFC 4918 class 2).
	locks *lockManager
	// queries caches calendar-query answers until a DAV table changes.
	queries queryCache
}

type basicEntry struct {
	email   string
	version int64 // auth_version when verified: a password change voids the entry
	exp     time.Time
}

// basicTTL is how long verified Basic credentials skip bcrypt.
const basicTTL = time.Minute

// New builds the handler.
func New(d Deps) *Handler {
	if d.MaxBody <= 0 {
		d.MaxBody = 10 << 20
	}
	h := &Handler{d: d, basic: map[[32]byte]basicEntry{}, locks: newLockManager()}
	h.states.m = map[string]cachedState{}
	return h
}

// davHeader lists the DAV compliance classes this server implements.
const davHeader = "1, 2, 3, calendar-access, addressbook, extended-mkcol"

const allowHeader = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCOL, MKCALENDAR, COPY, MOVE, LOCK, UNLOCK"

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.d.Enabled != nil && !h.d.Enabled() {
		http.NotFound(w, r)
		return
	}
	switch r.URL.Path {
	case "/.well-known/caldav":
		http.Redirect(w, r, "/caldav/", http.StatusMovedPermanently)
		return
	case "/.well-known/carddav":
		http.Redirect(w, r, "/carddav/", http.StatusMovedPermanently)
		return
	}
	prefix := "/caldav"
	if strings.HasPrefix(r.URL.Path, "/carddav") {
		prefix = "/carddav"
	}
	w.Header().Set("DAV", davHeader)
	if r.Method == http.MethodOptions {
		w.Header().Set("Allow", allowHeader)
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, ok := h.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
		(&davError{status: http.StatusUnauthorized, msg: "sign in with a bearer token or Basic email:password"}).write(w)
		return
	}
	r = r.WithContext(ctx)
	t, derr := parsePath(prefix, r.URL)
	if derr == nil && t.kind == kindObject && (r.Method == "MKCOL" || r.Method == "MKCALENDAR") {
		// MKCOL names a collection with or without the trailing slash.
		t.kind, t.coll, t.file = kindCollection, strings.TrimPrefix(t.coll+"/"+t.file, "/"), ""
	}
	if t.user == selfUser {
		t.user = auth.PrincipalFrom(ctx).UserRef
	}
	if derr == nil && t.user != "" && t.user != auth.PrincipalFrom(ctx).UserRef {
		derr = errForbidden("this principal path belongs to another user")
	}
	if derr == nil {
		derr = h.checkLocks(r, t)
	}
	if derr == nil {
		derr = h.dispatch(w, r, t)
		if derr == nil && (r.Method == http.MethodDelete || r.Method == "MOVE") {
			h.locks.removed(lockKey(t)) // locks do not survive a delete or move
		}
	}
	if derr != nil {
		if derr.status >= 500 {
			h.d.Log.ErrorContext(ctx, "dav request failed", "method", r.Method, "path", r.URL.Path, "err", derr.msg)
		}
		derr.write(w)
	}
}

func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, t target) *davError {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return h.get(w, r, t)
	case "PROPFIND":
		return h.propfind(w, r, t)
	case "PROPPATCH":
		return h.proppatch(w, r, t)
	case "REPORT":
		return h.report(w, r, t)
	case "MKCOL", "MKCALENDAR":
		return h.mkcol(w, r, t)
	case http.MethodPut:
		return h.put(w, r, t)
	case http.MethodDelete:
		return h.delete(w, r, t)
	case "COPY", "MOVE":
		return h.copyMove(w, r, t)
	case "LOCK":
		return h.lock(w, r, t)
	case "UNLOCK":
		return h.unlock(w, r, t)
	}
	w.Header().Set("Allow", allowHeader)
	return &davError{status: http.StatusMethodNotAllowed, msg: r.Method + " is not supported on DAV paths"}
}

// authenticate returns a context carrying a signed-in user: the bearer
// token's user (the server middleware put it there) or HTTP Basic
// email:password.
func (h *Handler) authenticate(r *http.Request) (context.Context, bool) {
	ctx := r.Context()
	if p := auth.PrincipalFrom(ctx); p.UserID != 0 {
		return ctx, true
	}
	email, pass, ok := r.BasicAuth()
	if !ok || email == "" || pass == "" {
		return ctx, false
	}
	key := sha256.Sum256([]byte(strings.ToLower(email) + "\x00" + pass))
	now := time.Now()
	h.mu.Lock()
	e, hit := h.basic[key]
	h.mu.Unlock()
	res := h.d.Res()
	var p auth.Principal
	var err error
	if hit && now.Before(e.exp) {
		p, err = res.PrincipalByEmail(ctx, e.email)
		hit = err == nil && p.AuthVersion == e.version
	}
	if !hit || !now.Before(e.exp) {
		p, err = res.Authenticate(ctx, email, pass)
		if err == nil {
			h.mu.Lock()
			if len(h.basic) > 10000 {
				clear(h.basic)
			}
			h.basic[key] = basicEntry{email: p.Email, version: p.AuthVersion, exp: now.Add(basicTTL)}
			h.mu.Unlock()
		}
	}
	if err != nil || p.UserID == 0 {
		return ctx, false
	}
	return auth.WithPrincipal(ctx, p), true
}

// resErr maps a resource layer error to a DAV status.
func (h *Handler) resErr(ctx context.Context, err error) *davError {
	var re *resource.Error
	msg := err.Error()
	if errors.As(err, &re) {
		msg = re.Error()
	}
	switch {
	case errors.Is(err, resource.ErrNotFound):
		return errNotFound(msg)
	case errors.Is(err, resource.ErrForbidden):
		h.d.Log.DebugContext(ctx, "dav forbidden", "err", err)
		return errForbidden(msg)
	case errors.Is(err, resource.ErrUnauthenticated):
		return &davError{status: http.StatusUnauthorized, msg: msg}
	case errors.Is(err, resource.ErrConflict):
		return &davError{status: http.StatusConflict, msg: msg}
	case errors.Is(err, resource.ErrBadRequest), errors.Is(err, resource.ErrValidation):
		return errBadRequest(msg)
	}
	h.d.Log.ErrorContext(ctx, "dav storage error", "err", err)
	return &davError{status: http.StatusInternalServerError, msg: "internal error"}
}
