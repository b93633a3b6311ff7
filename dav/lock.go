package dav

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
)

// hrefOf is the canonical URL of what t names.
func hrefOf(t target) string {
	switch t.kind {
	case kindPrincipal:
		return principalHref(t.prefix, t.user)
	case kindHome:
		return homeHref(t.prefix, t.user)
	case kindCollection:
		return collectionHref(t.prefix, t.user, t.coll)
	case kindObject:
		return objectHref(t.prefix, t.user, t.coll, t.file)
	}
	return t.prefix + "/"
}

// keyFromHref is the lock key of a canonical href: the same under
// /caldav and /carddav, without the trailing slash of a collection.
func keyFromHref(h string) string {
	for _, p := range []string{"/caldav", "/carddav"} {
		if rest, ok := strings.CutPrefix(h, p); ok && (rest == "" || rest[0] == '/') {
			h = rest
			break
		}
	}
	return strings.TrimSuffix(h, "/")
}

func lockKey(t target) string { return keyFromHref(hrefOf(t)) }

// targetOfURL parses a Destination or If-header resource URL into a
// target of the caller; ok is false for URLs outside the DAV tree.
func targetOfURL(ctx context.Context, raw string) (target, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return target{}, false
	}
	prefix := "/caldav"
	if strings.HasPrefix(u.Path, "/carddav") {
		prefix = "/carddav"
	} else if !strings.HasPrefix(u.Path, "/caldav") {
		return target{}, false
	}
	t, derr := parsePath(prefix, u)
	if derr != nil {
		return target{}, false
	}
	if t.kind == kindObject && strings.HasSuffix(u.Path, "/") {
		t.kind, t.coll, t.file = kindCollection, strings.TrimPrefix(t.coll+"/"+t.file, "/"), ""
	}
	if t.user == selfUser {
		t.user = auth.PrincipalFrom(ctx).UserRef
	}
	return t, true
}

// ifEval answers If-header conditions for one request.
type ifEval struct {
	h   *Handler
	ctx context.Context
	req target
}

func (e ifEval) target(res string) (target, bool) {
	if res == "" {
		return e.req, true
	}
	return targetOfURL(e.ctx, res)
}

func (e ifEval) hasToken(res, token string) bool {
	t, ok := e.target(res)
	return ok && e.h.locks.hasToken(token, lockKey(t))
}

func (e ifEval) etag(res string) string {
	t, ok := e.target(res)
	if !ok || t.kind != kindObject {
		return ""
	}
	_, o, derr := e.h.resolve(e.ctx, t)
	if derr != nil || o == nil {
		return ""
	}
	return o.etag()
}

// checkLocks evaluates the If header (412 when it fails) and refuses,
// with 423, a write to a locked resource whose lock token the caller did
// not submit. LOCK and UNLOCK check their own locks.
func (h *Handler) checkLocks(r *http.Request, t target) *davError {
	ctx := r.Context()
	var tokens map[string]bool
	if v := r.Header.Get("If"); v != "" {
		lists, ok := parseIf(v)
		if !ok {
			return errBadRequest("malformed If header")
		}
		if !evalIf(lists, ifEval{h: h, ctx: ctx, req: t}) {
			return &davError{status: http.StatusPreconditionFailed, msg: "the If header does not hold"}
		}
		tokens = ifTokens(lists)
	}
	user := auth.PrincipalFrom(ctx).UserRef
	locked := func(l *davLock) *davError {
		return &davError{status: http.StatusLocked, msg: "the resource is locked; submit its lock token in an If header",
			cond: "<d:lock-token-submitted>" + href(l.rootHref) + "</d:lock-token-submitted>"}
	}
	// check refuses a change of t (and, with tree, of what is below it);
	// member reports whether the change adds or removes t, which a
	// Depth: 0 lock on its collection forbids too.
	check := func(t target, tree bool, member func() bool) *davError {
		key := lockKey(t)
		if l := h.locks.blocked(key, tree, user, tokens); l != nil {
			return locked(l)
		}
		if i := strings.LastIndexByte(key, '/'); i > 0 && t.kind >= kindCollection {
			if l := h.locks.blockedMembers(key[:i], user, tokens); l != nil && member() {
				return locked(l)
			}
		}
		return nil
	}
	always := func() bool { return true }
	missing := func(t target) func() bool {
		return func() bool {
			c, o, _ := h.resolve(ctx, t)
			return c == nil || (t.kind == kindObject && o == nil)
		}
	}
	switch r.Method {
	case "PROPPATCH":
		return check(t, false, func() bool { return false })
	case "MKCOL", "MKCALENDAR":
		return check(t, false, always)
	case http.MethodPut:
		return check(t, false, missing(t))
	case http.MethodDelete, "MOVE", "COPY":
		if r.Method != "COPY" {
			if derr := check(t, true, always); derr != nil {
				return derr
			}
		}
		if dt, ok := targetOfURL(ctx, r.Header.Get("Destination")); ok {
			return check(dt, true, missing(dt))
		}
	}
	return nil
}

// lockTimeout reads the Timeout header ("Second-N" or "Infinite", the
// first acceptable one), bounded by maxLockTimeout.
func lockTimeout(v string) time.Duration {
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if strings.EqualFold(p, "Infinite") {
			return maxLockTimeout
		}
		if n, ok := strings.CutPrefix(p, "Second-"); ok {
			if s, err := strconv.ParseInt(n, 10, 64); err == nil && s > 0 {
				return min(time.Duration(s)*time.Second, maxLockTimeout)
			}
		}
	}
	return defLockTimeout
}

// activeLock renders one DAV:activelock.
func activeLock(l davLock, now time.Time) string {
	scope, d := "<d:exclusive/>", "0"
	if l.shared {
		scope = "<d:shared/>"
	}
	if l.infinite {
		d = "infinity"
	}
	left := max(int64(l.expires.Sub(now)/time.Second), 0)
	var b strings.Builder
	b.WriteString("<d:activelock><d:locktype><d:write/></d:locktype><d:lockscope>" + scope + "</d:lockscope><d:depth>" + d + "</d:depth>")
	if l.owner != "" {
		b.WriteString("<d:owner>" + l.owner + "</d:owner>")
	}
	b.WriteString("<d:timeout>Second-" + strconv.FormatInt(left, 10) + "</d:timeout>")
	b.WriteString("<d:locktoken>" + href(l.token) + "</d:locktoken><d:lockroot>" + href(l.rootHref) + "</d:lockroot></d:activelock>")
	return b.String()
}

// supportedLock is the DAV:supportedlock value: exclusive and shared
// write locks.
const supportedLock = "<d:lockentry><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>" +
	"<d:lockentry><d:lockscope><d:shared/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>"

// lockProps are the lock properties of the resource at href.
func (h *Handler) lockProps(hr string) props {
	var b strings.Builder
	now := h.locks.now()
	for _, l := range h.locks.covering(keyFromHref(hr)) {
		b.WriteString(activeLock(l, now))
	}
	return props{pLockDiscovery: b.String(), pSupportedLock: supportedLock}
}
